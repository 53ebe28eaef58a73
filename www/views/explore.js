// Traversal and blend: what each code unit means (each swept across its
// range on the training codes, the others held at a test digit's code, one
// decoded strip per unit) and what lies between two digits (their codes
// mixed and decoded, above the pixel-space blend). The engine encodes and
// decodes (`encode`, `trainCodes`, `decode`); this view only mixes codes.
import { blank, drawDigit, pickTestDigit, placeholder } from './digits.js';

const STEPS = 9;
const SIZE = 56;
const MAX_UNITS = 16; // a hash code may have 64 units: the first 16 are shown
const RANGE_SAMPLE = 2000; // training codes a unit's range is read from
const RANGE_SDS = 2; // the sweep covers mean ± 2 sd, within the min and max

/** Mean ± RANGE_SDS sd of column j of rows (n × d), within its min and max. */
export function sweepRange(/** @type {Float32Array} */ rows, /** @type {number} */ d, /** @type {number} */ j) {
  const n = rows.length / d;
  let [sum, sq, min, max] = [0, 0, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    const v = rows[i * d + j];
    sum += v;
    sq += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / n;
  const sd = Math.sqrt(Math.max(0, sq / n - mean * mean));
  return [Math.max(min, mean - RANGE_SDS * sd), Math.min(max, mean + RANGE_SDS * sd)];
}

export class ExploreView {
  /**
   * @param {import('../context.js').Context} ctx
   * @param {Record<string, any>} els travDigit, travRun, traversal, interpA, interpB, interpRun, interpDrawing, interp, note
   * @param {() => Float32Array | null} drawing the drawing pad's current image, if any
   */
  constructor(ctx, els, drawing) {
    this.ctx = ctx;
    this.els = els;
    this.drawing = drawing;
    els.travRun.addEventListener('click', () => this.traverse());
    els.interpRun.addEventListener('click', () => this.blend());
    els.interpDrawing.addEventListener('click', () => this.blend(true));
    this.clear();
  }

  clear(text = 'Train or load an autoencoder (mnist_auto_*, mnist_hash_*, the starter model) to sweep its code units here.') {
    placeholder(this.els.traversal, text);
    placeholder(this.els.interp, 'Two digits blended through the code and in pixel space appear here.');
  }

  /** Redraws both from the current model; false when it has no code space. */
  refresh() {
    return this.traverse() && this.blend();
  }

  /** A test digit's 0..1 image, from a number input (clamped to the test part). */
  testImage(/** @type {HTMLInputElement} */ input) {
    return pickTestDigit(this.ctx.lab, input);
  }

  traverse() {
    const lab = this.ctx.lab;
    /** @type {Float32Array} */ let images;
    let units;
    try {
      const base = lab.encode(this.testImage(this.els.travDigit));
      const d = base.length;
      const train = lab.trainCodes(RANGE_SAMPLE);
      units = Math.min(d, MAX_UNITS);
      const codes = new Float32Array(units * STEPS * d);
      this.ranges = [];
      for (let j = 0; j < units; j++) {
        const [lo, hi] = sweepRange(train, d, j);
        this.ranges.push([lo, hi]);
        for (let k = 0; k < STEPS; k++) {
          const row = codes.subarray((j * STEPS + k) * d, (j * STEPS + k + 1) * d);
          row.set(base);
          row[j] = lo + ((hi - lo) * k) / (STEPS - 1);
        }
      }
      images = lab.decode(codes);
    } catch (e) {
      this.fail(e);
      return false;
    }
    const c = this.els.traversal;
    c.height = units * SIZE;
    const ctx = blank(c);
    for (let j = 0; j < units; j++) {
      for (let k = 0; k < STEPS; k++) {
        const at = (j * STEPS + k) * 784;
        drawDigit(ctx, images.subarray(at, at + 784), k * SIZE, j * SIZE);
      }
    }
    c.dataset.units = String(units);
    const [lo, hi] = this.ranges[0];
    this.els.note.textContent = `Rows: code units 1–${units}; unit 1 runs from ${lo.toFixed(2)} to ${hi.toFixed(2)} (each unit has its own range).`;
    return true;
  }

  blend(toDrawing = false) {
    const lab = this.ctx.lab;
    /** @type {Float32Array} */ let decoded;
    /** @type {Float32Array} */ let a;
    /** @type {Float32Array | null} */ let b;
    try {
      a = this.testImage(this.els.interpA);
      b = toDrawing ? this.drawing() : this.testImage(this.els.interpB);
      if (!b) {
        this.els.note.textContent = 'Draw a digit on the pad first, then blend into it.';
        return false;
      }
      const [ca, cb] = [lab.encode(a), lab.encode(b)];
      const d = ca.length;
      const codes = new Float32Array(STEPS * d);
      for (let k = 0; k < STEPS; k++) for (let j = 0; j < d; j++) codes[k * d + j] = ca[j] + ((cb[j] - ca[j]) * k) / (STEPS - 1);
      decoded = lab.decode(codes);
    } catch (e) {
      this.fail(e);
      return false;
    }
    const ctx = blank(this.els.interp);
    const mix = new Float32Array(784);
    for (let k = 0; k < STEPS; k++) {
      drawDigit(ctx, decoded.subarray(k * 784, (k + 1) * 784), k * SIZE, 0);
      for (let i = 0; i < 784; i++) mix[i] = a[i] + (((b?.[i] ?? 0) - a[i]) * k) / (STEPS - 1);
      drawDigit(ctx, mix, k * SIZE, SIZE);
    }
    this.els.interp.dataset.to = toDrawing ? 'drawing' : 'test digit';
    return true;
  }

  fail(/** @type {any} */ e) {
    this.clear(`${e.message}.`);
    this.els.note.textContent = e.message;
  }
}
