// The denoising view: damaged test digits (Gaussian noise, salt and pepper,
// masked pixels, at a chosen level) and what the current autoencoder makes
// of them, and the reconstruction error against the clean digits over noise
// levels, one line per model measured in this tab — so a denoising model and
// a plain one can be compared. The engine corrupts, reconstructs and scores.
import uPlot from '../vendor/uPlot.esm.js';
import { blank, drawDigit, placeholder } from './digits.js';

const SHOW = 8;
const DIGITS = 500; // test digits each error is measured on
const LEVELS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
const SEED = 1; // the same noisy digits for every model
const COLOURS = ['#2f6fde', '#d1495b', '#1b9e55', '#edae49', '#6c4f9e', '#00798c'];

export class DenoiseView {
  /**
   * @param {import('../context.js').Context} ctx
   * @param {Record<string, any>} els kind, level, levelOut, curve (button), canvas, mse, chart
   */
  constructor(ctx, els) {
    this.ctx = ctx;
    this.els = els;
    /** @type {Map<string, { kind: string, errors: number[] }>} model label → error per level */
    this.curves = new Map();
    /** @type {string | null} the label of the model answering now */
    this.model = null;
    /** Counts model changes: a curve measured over several tasks stops if the model changes under it. */
    this.generation = 0;
    /** @type {object | null} the refresh whose error is being measured (a newer one replaces it) */
    this.asked = null;
    els.level.addEventListener('input', () => this.refresh());
    els.kind.addEventListener('change', () => {
      this.refresh();
      this.plot();
    });
    els.curve.addEventListener('click', () => this.measure());
    this.clear();
  }

  clear() {
    this.generation++;
    placeholder(
      this.els.canvas,
      'Train or load an autoencoder (try mnist_denoise, then mnist_auto_2): noisy test digits and its reconstructions appear here.',
    );
    this.els.mse.textContent = '';
    delete this.els.mse.dataset.mse;
  }

  /** The model now answering, named as its line in the chart. */
  setModel(/** @type {string | null} */ label) {
    this.model = label;
    this.generation++;
  }

  level() {
    return Number(this.els.level.value);
  }

  /**
   * The shown digits now, the error over all DIGITS in a task of its own:
   * the two in one task ran past 50 ms on a host half as fast (issue 16).
   * The shown digits are the first of the measured ones (the same noise).
   */
  refresh() {
    const level = this.level();
    const kind = this.els.kind.value;
    this.els.levelOut.textContent = level.toFixed(2);
    let d;
    try {
      d = this.ctx.lab.denoise(kind, level, SHOW, SHOW, SEED);
    } catch (e) {
      this.clear();
      this.els.mse.textContent = /** @type {Error} */ (e).message;
      return false;
    }
    const ctx = blank(this.els.canvas);
    const n = d.noisy.length / 784;
    const clean = this.ctx.lab.inputs(Uint32Array.from({ length: n }, (_, i) => i));
    for (let k = 0; k < n; k++) {
      for (const [row, imgs] of [clean, d.noisy, d.recon].entries()) {
        drawDigit(ctx, Float32Array.from(imgs.slice(k * 784, (k + 1) * 784)), k * 56, row * 56);
      }
    }
    const [asked, generation] = [{}, this.generation];
    this.asked = asked;
    this.els.mse.textContent = `Measuring over ${DIGITS} test digits…`;
    delete this.els.mse.dataset.mse;
    setTimeout(() => {
      // A newer refresh, or another model, has taken over.
      if (this.asked !== asked || this.generation !== generation) return;
      let m;
      try {
        m = this.ctx.lab.denoise(kind, level, DIGITS, 0, SEED);
      } catch (e) {
        this.els.mse.textContent = /** @type {Error} */ (e).message;
        return;
      }
      this.els.mse.textContent = `Per-pixel MSE against the clean digits over ${m.digits} test digits: reconstructions ${m.mse.toFixed(4)}, the noisy input itself ${m.noisy_mse.toFixed(4)}.`;
      this.els.mse.dataset.mse = String(m.mse);
    }, 0);
    return true;
  }

  /**
   * The current model's error at every level, one level per task so no task
   * runs long; resolves to the errors (null without a decoder).
   * @returns {Promise<number[] | null>}
   */
  measure() {
    const kind = this.els.kind.value;
    const label = `${this.model ?? 'model'} · ${kind}`;
    const generation = this.generation;
    /** @type {number[]} */
    const errors = [];
    return new Promise((resolve) => {
      const next = () => {
        if (generation !== this.generation) {
          resolve(null);
          return;
        }
        if (errors.length === LEVELS.length) {
          this.curves.set(label, { kind, errors });
          this.plot();
          resolve(errors);
          return;
        }
        try {
          errors.push(this.ctx.lab.denoise(kind, LEVELS[errors.length], DIGITS, 0, SEED).mse);
        } catch {
          resolve(null);
          return;
        }
        setTimeout(next, 0);
      };
      next();
    });
  }

  plot() {
    const kind = this.els.kind.value;
    const lines = [...this.curves.entries()].filter(([, c]) => c.kind === kind);
    this.chart?.destroy();
    this.chart = null;
    if (!lines.length) return;
    const el = this.els.chart;
    this.chart = new uPlot(
      {
        width: Math.max(240, Math.min(640, el.clientWidth || 600)),
        height: 200,
        scales: { x: { time: false } },
        axes: [{ label: 'noise level' }, { label: 'MSE vs clean' }],
        series: [{ label: 'level' }, ...lines.map(([name], i) => ({ label: name, stroke: COLOURS[i % COLOURS.length], width: 2 }))],
      },
      [LEVELS, ...lines.map(([, c]) => c.errors)],
      el,
    );
  }
}
