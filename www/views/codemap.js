// The code map: test digits' codes (the engine's `codes`: the code the
// decoder reads) on their first two principal axes, one dot per digit coloured by class, refreshed
// during training. Clicking or dragging on it decodes that point: the map's
// plane goes back to code space through the axes and the mean.
import { blank, drawDigit, placeholder } from './digits.js';

const CLASS_COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324', '#808000', '#000075'];
const N = 500;
const PAD = 8;

/** Top-2 principal directions of rows (n × d) by power iteration with deflation. */
function principalPlane(x, n, d) {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const va = x[i * d + a] - mean[a];
      for (let b = 0; b < d; b++) cov[a * d + b] += (va * (x[i * d + b] - mean[b])) / n;
    }
  }
  const dirs = [];
  for (let k = 0; k < Math.min(2, d); k++) {
    let v = Float64Array.from({ length: d }, (_, j) => 1 + j * 0.01);
    for (let it = 0; it < 100; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) w[a] += cov[a * d + b] * v[b];
      for (const u of dirs) {
        const dot = w.reduce((s, wi, j) => s + wi * u[j], 0);
        for (let j = 0; j < d; j++) w[j] -= dot * u[j];
      }
      const norm = Math.hypot(...w) || 1;
      v = w.map((wi) => wi / norm);
    }
    dirs.push(v);
  }
  return { mean, dirs };
}

export class CodeMapView {
  /**
   * @param {import('../context.js').Context} ctx
   * @param {Record<string, any>} els canvas, legend, note, decoded (canvas), point (text)
   */
  constructor(ctx, els) {
    this.ctx = ctx;
    this.els = els;
    /** @type {any} the engine's plane of the map drawn now */
    this.plane = null;
    els.legend.innerHTML = CLASS_COLOURS.map((_c, i) => `<span><i data-c="${i}"></i>${i}</span>`).join('');
    els.legend.querySelectorAll('i').forEach((/** @type {HTMLElement} */ el) => {
      el.style.background = CLASS_COLOURS[Number(el.dataset.c)];
    });
    const canvas = els.canvas;
    canvas.addEventListener('pointerdown', (/** @type {PointerEvent} */ e) => {
      canvas.setPointerCapture(e.pointerId);
      this.pick(e);
    });
    canvas.addEventListener('pointermove', (/** @type {PointerEvent} */ e) => {
      if (canvas.hasPointerCapture(e.pointerId)) this.pick(e);
    });
    // From the keyboard: arrows move the probe over the map.
    canvas.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
      const step = { ArrowLeft: [-10, 0], ArrowRight: [10, 0], ArrowUp: [0, -10], ArrowDown: [0, 10] }[e.key];
      if (!step || !this.plane) return;
      e.preventDefault();
      this.probe = [
        Math.min(canvas.width, Math.max(0, this.probe[0] + step[0])),
        Math.min(canvas.height, Math.max(0, this.probe[1] + step[1])),
      ];
      this.decodeAt(this.probe[0], this.probe[1]);
    });
    /** @type {number[]} the probe's canvas point */
    this.probe = [canvas.width / 2, canvas.height / 2];
    this.clear();
  }

  clear(
    text = 'Test codes appear here as dots, one colour per class, once a model with an encoder is trained or loaded; then click the map to decode any point.',
  ) {
    this.plane = null;
    placeholder(this.els.canvas, text);
    placeholder(this.els.decoded, 'click the map');
    this.els.point.textContent = '';
  }

  refresh() {
    /** @type {Float32Array} */ let codes;
    /** @type {Uint8Array} */ let labels;
    try {
      codes = this.ctx.lab.codes(N);
      labels = this.ctx.lab.testLabels();
    } catch (e) {
      this.els.note.textContent = /** @type {Error} */ (e).message;
      this.clear(`${/** @type {Error} */ (e).message}.`);
      return false;
    }
    const n = Math.min(N, labels.length);
    const width = codes.length / n;
    const { mean, dirs } = principalPlane(codes, n, width);
    const k = dirs.length;
    const points = [];
    for (let i = 0; i < n; i++) for (const u of dirs) points.push(u.reduce((s, uj, j) => s + uj * (codes[i * width + j] - mean[j]), 0));
    const plane = { width, k, mean, axes: dirs.flatMap((u) => Array.from(u)), points, labels: labels.subarray(0, n) };
    this.els.note.textContent =
      plane.width > 2
        ? `A ${plane.width}-unit code: the map shows its two directions of largest spread.`
        : plane.k === 1
          ? 'A 1-unit code: its value across, the class spread vertically.'
          : '';
    // A 1-unit code has one direction: spread the classes vertically.
    const pts = Array.from({ length: n }, (_, i) => [
      plane.points[i * plane.k],
      plane.k > 1 ? plane.points[i * plane.k + 1] : plane.labels[i] + ((i * 0.618) % 1) - 0.5,
    ]);
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    this.box = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    this.plane = plane;
    this.pts = pts;
    this.draw();
    return true;
  }

  draw() {
    const { canvas } = this.els;
    const ctx = blank(canvas, '#fff');
    this.pts.forEach((/** @type {number[]} */ p, /** @type {number} */ i) => {
      const [x, y] = this.toCanvas(p[0], p[1]);
      ctx.fillStyle = CLASS_COLOURS[this.plane.labels[i]];
      ctx.beginPath();
      ctx.arc(x, y, 2.5, 0, 2 * Math.PI);
      ctx.fill();
    });
  }

  /** Plane coordinates → canvas pixels, and back. */
  toCanvas(/** @type {number} */ px, /** @type {number} */ py) {
    const [x0, x1, y0, y1] = this.box;
    const { width: w, height: h } = this.els.canvas;
    return [PAD + ((px - x0) / (x1 - x0 || 1)) * (w - 2 * PAD), h - PAD - ((py - y0) / (y1 - y0 || 1)) * (h - 2 * PAD)];
  }

  toPlane(/** @type {number} */ cx, /** @type {number} */ cy) {
    const [x0, x1, y0, y1] = this.box;
    const { width: w, height: h } = this.els.canvas;
    return [x0 + ((cx - PAD) / (w - 2 * PAD)) * (x1 - x0), y0 + ((h - PAD - cy) / (h - 2 * PAD)) * (y1 - y0)];
  }

  /** @param {PointerEvent} e */
  pick(e) {
    if (!this.plane) return;
    const r = this.els.canvas.getBoundingClientRect();
    this.probe = [((e.clientX - r.left) * this.els.canvas.width) / r.width, ((e.clientY - r.top) * this.els.canvas.height) / r.height];
    this.decodeAt(this.probe[0], this.probe[1]);
  }

  /** The code at canvas point (cx, cy): mean + Σ p_k · axis_k. */
  codeAt(/** @type {number} */ cx, /** @type {number} */ cy) {
    const { width, k, mean, axes } = this.plane;
    const p = this.toPlane(cx, cy);
    return Float32Array.from({ length: width }, (_, j) => mean[j] + p[0] * axes[j] + (k > 1 ? p[1] * axes[width + j] : 0));
  }

  decodeAt(/** @type {number} */ cx, /** @type {number} */ cy) {
    const code = this.codeAt(cx, cy);
    let img;
    try {
      img = this.ctx.lab.decode(code);
    } catch (e) {
      placeholder(this.els.decoded, 'no decoder');
      this.els.point.textContent = /** @type {Error} */ (e).message;
      return;
    }
    drawDigit(blank(this.els.decoded), img, 0, 0, 4);
    this.els.point.textContent = `code [${Array.from(code, (v) => v.toFixed(2)).join(', ')}]`;
    this.draw();
    const ctx = this.els.canvas.getContext('2d');
    ctx.strokeStyle = '#1d2330';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(cx, cy, 6, 0, 2 * Math.PI);
    ctx.stroke();
  }
}
