// The results table: one row per reference model, the reference's figure
// beside what this browser measured (mean ± sd when a Run all repeats over
// seeds), and a copy-as-markdown button.

import { meanSd } from '../stats.js';

const pct = (/** @type {number | null | undefined} */ v) => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);

/** The row's figure over its runs: accuracy, or a hash model's bucket precision and mAP. */
export function measured(/** @type {any[]} */ runs) {
  const n = runs.length;
  const seeds = n > 1 ? ` (${n} seeds)` : '';
  if (runs.every((r) => r.test_accuracy != null)) {
    const [m, sd] = meanSd(runs.map((r) => r.test_accuracy));
    return n > 1 ? `${(m * 100).toFixed(1)} ± ${(sd * 100).toFixed(1)}%${seeds}` : pct(m);
  }
  if (runs.every((r) => r.hash)) {
    const [p, psd] = meanSd(runs.map((r) => r.hash.bucket_precision));
    const [map, mapsd] = meanSd(runs.map((r) => r.hash.map));
    return n > 1
      ? `bucket precision ${p.toFixed(3)} ± ${psd.toFixed(3)}, mAP ${map.toFixed(3)} ± ${mapsd.toFixed(3)}${seeds}`
      : `bucket precision ${p.toFixed(3)}, mAP ${map.toFixed(3)}`;
  }
  return '–';
}

export class ResultsView {
  /**
   * @param {any[]} experiments
   * @param {Record<string, any>} els body, copy, markdown
   */
  constructor(experiments, { body, copy, markdown }, rowInfo) {
    this.body = body;
    /** @type {(name: string) => { fraction: number, classifier: boolean, autoencoder: boolean }} */
    this.rowInfo = rowInfo;
    this.markdown = markdown;
    this.rows = new Map();
    for (const e of experiments) {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'result-row';
      tr.dataset.model = e.name;
      tr.innerHTML = `<td></td><td></td><td data-testid="result-bar">–</td><td data-testid="result-measured">–</td><td data-testid="result-preset"></td><td data-testid="result-time"></td>`;
      tr.cells[0].textContent = e.name;
      tr.cells[1].textContent = e.reference_accuracy == null ? '– (pictures only)' : pct(e.reference_accuracy);
      body.append(tr);
      this.rows.set(e.name, { tr, e, runs: /** @type {any[]} */ ([]), preset: '' });
    }
    copy.addEventListener('click', () => this.copy());
  }

  /** Forgets the runs so far (a new Run all starts). */
  clear() {
    for (const row of this.rows.values()) row.runs = [];
  }

  /** A finished run; runs of the same model and preset pool into mean ± sd. */
  record(/** @type {any} */ results, /** @type {string} */ preset) {
    const row = this.rows.get(results.model);
    if (!row) return; // a custom run
    if (row.preset !== preset) row.runs = [];
    row.preset = preset;
    row.runs.push(results);
    const [, , , m, p, t] = row.tr.cells;
    m.textContent = measured(row.runs);
    const values = row.runs.map((r) => r.test_accuracy ?? r.hash?.bucket_precision);
    m.dataset.value = String(meanSd(values)[0]);
    m.dataset.runs = String(row.runs.length);
    p.textContent = preset;
    t.textContent = `${meanSd(row.runs.map((r) => r.seconds))[0].toFixed(1)} s`;
  }

  /**
   * The trivial bars of the loaded data set (`aelab baselines`, browser
   * protocol, built with the page) beside each row, for its label budget;
   * null: none for this data (one's own files).
   * @param {any[] | null} bars
   */
  showBars(bars) {
    const f = (/** @type {number} */ v) => `${(v * 100).toFixed(1)}%`;
    for (const { tr, e } of this.rows.values()) {
      const cell = tr.cells[2];
      const info = this.rowInfo(e.name);
      const b = bars?.find((r) => Math.abs(r.label_fraction - info.fraction) < 1e-9);
      if (!b) {
        cell.textContent = bars ? '–' : '– (none for your own files: aelab baselines computes them)';
        delete cell.dataset.value;
        continue;
      }
      const parts = [];
      if (info.classifier) parts.push(`softmax reg. ${f(b.logreg)}, 1-NN ${f(b.nearest)}, PCA-10 + reg. ${f(b.pca_logreg)}`);
      if (info.autoencoder) parts.push(`PCA-10 MSE ${b.pca10_mse.toFixed(4)}`);
      cell.textContent = parts.join('; ');
      cell.dataset.value = String(info.classifier ? Math.max(b.logreg, b.nearest, b.pca_logreg) : b.pca10_mse);
    }
  }

  toMarkdown() {
    const lines = ['| model | reference | trivial bar, same labels | this browser | preset | time |', '|---|---|---|---|---|---|'];
    for (const { tr } of this.rows.values()) lines.push(`| ${[...tr.cells].map((c) => c.textContent).join(' | ')} |`);
    lines.push(
      '',
      'This browser: 8,000 train / 2,000 test, 1% = 480 labels, 480,000 autoencoder samples (60 epochs). Reference: 48,000 / 9,000, 480 labels, 10 epochs.',
    );
    return lines.join('\n');
  }

  async copy() {
    const md = this.toMarkdown();
    this.markdown.value = md;
    this.markdown.hidden = false;
    try {
      await navigator.clipboard.writeText(md);
    } catch {
      // No clipboard permission: the text is shown, selected, to copy by hand.
      this.markdown.select();
    }
  }
}
