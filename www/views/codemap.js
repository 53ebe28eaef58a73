// The code map: test digits' codes projected on their first two principal
// components, one dot per digit coloured by class, refreshed during training.
import { blank } from './digits.js';

const CLASS_COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324', '#808000', '#000075'];
const N = 500;

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
  constructor(ctx, canvas, legend, note) {
    this.ctx = ctx;
    this.canvas = canvas;
    this.note = note;
    legend.innerHTML = CLASS_COLOURS.map((_c, i) => `<span><i data-c="${i}"></i>${i}</span>`).join('');
    legend.querySelectorAll('i').forEach((el) => {
      el.style.background = CLASS_COLOURS[el.dataset.c];
    });
    this.clear();
  }

  clear() {
    blank(this.canvas, '#fff');
  }

  refresh() {
    let codes, labels;
    try {
      codes = this.ctx.lab.codes(N);
      labels = this.ctx.lab.testLabels();
    } catch (e) {
      this.note.textContent = e.message;
      return false;
    }
    this.note.textContent = '';
    const n = Math.min(N, labels.length);
    const d = codes.length / n;
    const { mean, dirs } = principalPlane(codes, n, d);
    const pts = [];
    for (let i = 0; i < n; i++) {
      const p = dirs.map((u) => u.reduce((s, uj, j) => s + uj * (codes[i * d + j] - mean[j]), 0));
      // A 1-unit code has one direction: spread the classes vertically.
      pts.push([p[0], p[1] ?? labels[i] + ((i * 0.618) % 1) - 0.5]);
    }
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const { width: w, height: h } = this.canvas;
    const ctx = this.canvas.getContext('2d');
    this.clear();
    for (let i = 0; i < n; i++) {
      const x = 8 + ((pts[i][0] - x0) / (x1 - x0 || 1)) * (w - 16);
      const y = h - 8 - ((pts[i][1] - y0) / (y1 - y0 || 1)) * (h - 16);
      ctx.fillStyle = CLASS_COLOURS[labels[i]];
      ctx.beginPath();
      ctx.arc(x, y, 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    return true;
  }
}
