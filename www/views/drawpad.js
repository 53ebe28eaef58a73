// The drawing pad: pointer strokes (mouse, pen, touch; no scrolling while
// drawing), undo and clear, MNIST-style preprocessing, then the model's view
// of the drawing: class probabilities, code and hash bits, reconstruction and
// the training digits in its bucket.
import { blank, drawDigit, pickTestDigit, placeholder } from './digits.js';

const MIN_SPAN = 12; // pad pixels: a smaller drawing is a tap, not a digit
const STROKE = 2.4; // stroke width in the 28×28 image, like MNIST's pen
const SUPER = 4; // render at 4× and average down: anti-aliasing

/**
 * MNIST's recipe, applied to the stroke geometry so that size and position do
 * not matter: fit the ink's bounding box into 20×20 keeping the aspect ratio,
 * render with a fixed pen, then shift so the centre of mass is at (14, 14).
 * Returns 784 floats in 0..1, or null when there is no real drawing.
 */
function preprocess(strokes) {
  const pts = strokes.flat();
  if (!pts.length) return null;
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(x1 - x0, y1 - y0);
  if (span < MIN_SPAN) return null;
  const box = 20 - STROKE;
  const k = box / span;
  const size = 28 * SUPER;
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = '#fff';
  ctx.fillStyle = '#fff';
  ctx.lineWidth = STROKE * SUPER;
  ctx.lineCap = ctx.lineJoin = 'round';
  // Centre the box in the frame first; the centre-of-mass shift follows.
  const ox = 14 - ((x1 - x0) * k) / 2;
  const oy = 14 - ((y1 - y0) * k) / 2;
  const map = ([x, y]) => [(ox + (x - x0) * k) * SUPER, (oy + (y - y0) * k) * SUPER];
  for (const s of strokes) {
    const m = s.map(map);
    ctx.beginPath();
    if (m.length === 1) {
      ctx.arc(m[0][0], m[0][1], (STROKE * SUPER) / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.moveTo(m[0][0], m[0][1]);
    for (const p of m.slice(1)) ctx.lineTo(p[0], p[1]);
    ctx.stroke();
  }
  const big = ctx.getImageData(0, 0, size, size).data;
  const img = new Float32Array(784);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++)
      img[Math.floor(y / SUPER) * 28 + Math.floor(x / SUPER)] += big[4 * (y * size + x)] / (255 * SUPER * SUPER);
  }
  let [m, cx, cy] = [0, 0, 0];
  for (let i = 0; i < 784; i++) {
    m += img[i];
    cx += img[i] * (i % 28);
    cy += img[i] * Math.floor(i / 28);
  }
  const dx = Math.round(13.5 - cx / m);
  const dy = Math.round(13.5 - cy / m);
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = Math.min(1, img[sy * 28 + sx]);
    }
  }
  return out;
}

export class DrawPad {
  constructor(ctx, els) {
    this.ctx = ctx;
    this.els = els;
    this.strokes = [];
    /** @type {Float32Array | null} a test digit picked instead of a drawing */
    this.picked = null;
    const pad = els.pad;
    pad.addEventListener('pointerdown', (e) => {
      pad.setPointerCapture(e.pointerId);
      this.picked = null;
      this.strokes.push([this.point(e)]);
      this.redraw();
    });
    pad.addEventListener('pointermove', (e) => {
      if (!pad.hasPointerCapture(e.pointerId)) return;
      this.strokes.at(-1).push(this.point(e));
      this.redraw();
    });
    const end = (e) => {
      if (pad.hasPointerCapture(e.pointerId)) pad.releasePointerCapture(e.pointerId);
      this.update();
    };
    pad.addEventListener('pointerup', end);
    pad.addEventListener('pointercancel', end);
    els.undo.addEventListener('click', () => {
      this.strokes.pop();
      this.redraw();
      this.update();
    });
    // From the keyboard (or instead of drawing): a test digit by number.
    els.use.addEventListener('click', () => {
      try {
        this.picked = pickTestDigit(this.ctx.lab, els.pick);
      } catch {
        this.picked = null;
      }
      this.strokes = [];
      this.redraw();
      this.update();
    });
    els.clear.addEventListener('click', () => {
      this.picked = null;
      this.strokes = [];
      this.redraw();
      this.update();
    });
    this.redraw();
    this.update();
  }

  point(e) {
    const r = this.els.pad.getBoundingClientRect();
    return [((e.clientX - r.left) * this.els.pad.width) / r.width, ((e.clientY - r.top) * this.els.pad.height) / r.height];
  }

  /** Whether a drawing is shown without its bucket (no index yet). */
  awaitingBucket() {
    return this.keyed && this.els.neighbours.dataset.empty === 'true';
  }

  /** The image the model is shown: the drawing, preprocessed, or the picked test digit. */
  image() {
    return this.picked ?? preprocess(this.strokes);
  }

  redraw() {
    const ctx = blank(this.els.pad);
    if (this.picked) {
      drawDigit(ctx, this.picked, 0, 0, this.els.pad.width / 28);
      return;
    }
    if (!this.strokes.length) {
      ctx.fillStyle = '#8a94a6';
      ctx.font = '16px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText('draw a digit here', this.els.pad.width / 2, this.els.pad.height / 2);
      ctx.textAlign = 'start';
    }
    ctx.strokeStyle = ctx.fillStyle = '#fff';
    ctx.lineWidth = 18;
    ctx.lineCap = ctx.lineJoin = 'round';
    for (const s of this.strokes) {
      ctx.beginPath();
      ctx.moveTo(s[0][0], s[0][1]);
      for (const p of s.slice(1)) ctx.lineTo(p[0], p[1]);
      if (s.length === 1) ctx.lineTo(s[0][0] + 0.1, s[0][1]);
      ctx.stroke();
    }
  }

  /** Re-analyses the drawing with the current model. */
  update() {
    const { els } = this;
    placeholder(els.input, 'input');
    placeholder(els.recon, 'rebuild');
    placeholder(els.neighbours, "the training digits in the drawing's hash bucket appear here");
    placeholder(els.probs, 'class probabilities appear here when you draw');
    els.code.textContent = '';
    this.keyed = false;
    const img = this.image();
    if (!img) {
      els.prediction.textContent = 'draw a digit';
      els.note.textContent = '';
      els.prediction.dataset.state = 'empty';
      return;
    }
    let a;
    try {
      a = this.ctx.lab.analyse(img, Number(els.radius.value), 5);
    } catch {
      drawDigit(blank(els.input), img, 0, 0);
      els.prediction.textContent = 'train a model first';
      els.prediction.dataset.state = 'no-model';
      return;
    }
    drawDigit(blank(els.input), Float32Array.from(a.input), 0, 0);
    els.prediction.dataset.state = a.predicted == null ? 'no-classifier' : 'predicted';
    // The class names of the data the model was trained on.
    const data = this.ctx.trainedOn ?? this.ctx.dataset;
    els.prediction.textContent = a.predicted == null ? 'no classifier in this model' : data.classes[a.predicted];
    els.note.textContent = data.digits
      ? ''
      : `This model learned ${data.name}, not digits: it reads your drawing as the nearest of its classes (0 ${data.classes[0]} … 9 ${data.classes[9]}), which shows how it sees shapes rather than what you drew.`;
    if (a.probs) this.bars(a.probs);
    else placeholder(els.probs, 'this model has no classifier');
    if (a.reconstruction) drawDigit(blank(els.recon), Float32Array.from(a.reconstruction), 0, 0);
    else placeholder(els.recon, 'no decoder');
    const code = a.code.length ? `code [${a.code.map((v) => v.toFixed(2)).join(', ')}]` : 'no code: this model has no encoder';
    els.code.textContent = code + (a.bits ? ` · key ${a.bits.join('')}` : '');
    // A key without a bucket: the index may still be coming.
    this.keyed = !!a.bits;
    if (!a.neighbours.length) {
      placeholder(
        els.neighbours,
        a.bits ? 'no training digit shares this bucket: try radius 1' : 'this model has no hash index (mnist_hash_*, the starter model)',
      );
      return;
    }
    const nb = blank(els.neighbours);
    a.neighbours.forEach((/** @type {any} */ h, /** @type {number} */ k) => {
      drawDigit(nb, this.ctx.lab.trainDigit(h.index), k * 56, 0);
    });
  }

  bars(probs) {
    const c = this.els.probs;
    const ctx = blank(c, '#fff');
    const w = c.width / 10;
    ctx.font = '12px system-ui';
    probs.forEach((p, i) => {
      const h = p * (c.height - 18);
      ctx.fillStyle = '#2f6fde';
      ctx.fillRect(i * w + 4, c.height - 16 - h, w - 8, h);
      ctx.fillStyle = '#1d2330';
      ctx.fillText(String(i), i * w + w / 2 - 3, c.height - 3);
    });
  }
}
