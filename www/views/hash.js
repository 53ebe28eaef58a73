// Hash buckets: query test digits, each beside the training digits found
// within the chosen Hamming radius, plus bucket occupancy and the metrics.
import { blank, drawDigit, placeholder } from './digits.js';

const QUERIES = 6;
const HITS = 8;

export class HashView {
  constructor(ctx, { canvas, radius, metrics, occupancy }) {
    this.ctx = ctx;
    this.canvas = canvas;
    this.radius = radius;
    this.metrics = metrics;
    this.occupancy = occupancy;
    this.clear();
  }

  clear() {
    placeholder(
      this.canvas,
      'Six test digits, each beside the training digits in its hash bucket, appear here once a model with a hash index (mnist_hash_*, or the starter model) is trained or loaded.',
    );
    this.occupancy.textContent = '';
  }

  /** Redraws from the current index; false when there is none. */
  refresh(results = this.results) {
    this.results = results;
    const r = Number(this.radius.value);
    let rows;
    try {
      rows = Array.from({ length: QUERIES }, (_, q) => this.ctx.lab.search(q, r, HITS));
    } catch {
      this.clear();
      return false;
    }
    this.occupancy.textContent = '';
    const ctx = blank(this.canvas);
    ctx.fillStyle = '#2f6fde';
    rows.forEach((hits, q) => {
      drawDigit(ctx, this.ctx.lab.testDigit(q), 0, q * 56);
      ctx.fillRect(58, q * 56, 2, 56);
      hits.forEach((/** @type {any} */ hit, /** @type {number} */ k) => {
        drawDigit(ctx, this.ctx.lab.trainDigit(hit.index), 64 + k * 56, q * 56);
      });
    });
    const h = results?.hash;
    if (h) {
      this.metrics.textContent =
        `${h.bits} bits · ${h.buckets_used} buckets used (largest ${h.largest_bucket}) · ` +
        `same-label precision in the query's bucket ${h.bucket_precision.toFixed(3)} (queries with a non-empty bucket: ${(h.bucket_coverage * 100).toFixed(0)}%) · ` +
        `precision@10 ${h.precision_at_10.toFixed(3)} · mAP ${h.map.toFixed(3)} (${h.queries} test queries).`;
    }
    const occ = this.ctx.lab.occupancy(5);
    this.occupancy.textContent = `Largest buckets: ${occ.map(([key, n]) => `${key} (${n})`).join(', ')}`;
    return true;
  }
}
