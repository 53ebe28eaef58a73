// The label-efficiency curve: test accuracy against the number of labels
// for the MLP alone and the autoencoder-pre-trained model, each with and
// without label propagation (the engine's `curves`), run through the
// ordinary training queue and drawn with uPlot as the runs finish.
import uPlot from '../vendor/uPlot.esm.js';

const COLOURS = ['#2f6fde', '#e6194b', '#3cb44b', '#f58231'];

export class CurveView {
  /**
   * @param {import('../context.js').Context} ctx
   * @param {import('./training.js').TrainingView} training
   * @param {Record<string, any>} els button, labels, chart, note
   */
  constructor(ctx, training, els) {
    this.ctx = ctx;
    this.training = training;
    this.els = els;
    this.curves = ctx.engine.curves();
    /** @type {any} */
    this.chart = null;
    els.button.addEventListener('click', () => this.run());
    els.note.textContent = `Press "Label-efficiency curve" to train ${this.curves.length} models at each label count (${this.curves.map((/** @type {any} */ c) => c.name).join(', ')}) and draw their test accuracy here.`;
  }

  /** The label counts asked for: whole numbers from 1 to the training images. */
  labels() {
    const v = String(this.els.labels.value)
      .split(',')
      .map((s) => Number(s.trim()));
    if (!v.length || v.some((n) => !Number.isInteger(n) || n < 1))
      throw new Error(`labels: "${this.els.labels.value}" is not a list of whole numbers ≥ 1, e.g. "10, 100, 1000"`);
    return [...new Set(v)].sort((a, b) => a - b);
  }

  run() {
    let labels;
    try {
      labels = this.labels();
    } catch (e) {
      this.els.note.textContent = e.message;
      return;
    }
    /** @type {(number | null)[][]} */
    const acc = this.curves.map(() => labels.map(() => null));
    this.data = [labels.map((n) => Math.log10(n)), ...acc];
    this.labelsRun = labels;
    this.draw();
    const entries = [];
    for (const [j, n] of labels.entries()) {
      for (const [i] of this.curves.entries()) {
        entries.push({
          config: this.ctx.lab.curveConfig(i, n, this.ctx.dataset.digits),
          done: (/** @type {any} */ r) => {
            acc[i][j] = r.test_accuracy;
            this.draw();
          },
        });
      }
    }
    this.els.note.textContent = `Training ${entries.length} models…`;
    this.training.runQueue(entries);
  }

  draw() {
    const el = this.els.chart;
    const done = this.data
      .slice(1)
      .flat()
      .filter((v) => v != null).length;
    this.els.chart.dataset.points = String(done);
    this.els.note.textContent =
      `${done} of ${this.data.slice(1).flat().length} runs: test accuracy against labels (log scale) on ${this.ctx.dataset.name}; ` +
      'without propagation the supervised phase trains on the labelled images only, for as many steps as with all labels.';
    if (!this.chart) {
      this.chart = new uPlot(
        {
          width: Math.max(280, el.clientWidth || 560),
          height: 240,
          scales: { x: { time: false }, y: { range: [0, 1] } },
          axes: [
            {
              label: 'labels',
              values: (/** @type {any} */ _u, /** @type {number[]} */ ticks) => ticks.map((t) => String(Math.round(10 ** t))),
            },
            { label: 'test accuracy' },
          ],
          series: [
            {},
            ...this.curves.map((/** @type {any} */ c, /** @type {number} */ i) => ({
              label: c.name,
              stroke: COLOURS[i],
              points: { show: true },
            })),
          ],
        },
        /** @type {any} */ (this.data),
        el,
      );
    } else {
      this.chart.setData(this.data);
    }
  }
}
