// Traversal and blend: what each code unit means (each swept across its
// range on the training codes, the others held at a test digit's code, one
// decoded strip per unit) and what lies between two digits (their codes
// mixed and decoded, above the pixel-space blend). The engine computes both.
import { blank, drawDigit, placeholder } from './digits.js';

const STEPS = 9;
const SIZE = 56;

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
    const n = this.ctx.lab.testLabels().length;
    const i = Math.min(Math.max(0, Math.floor(Number(input.value) || 0)), n - 1);
    input.value = String(i);
    input.max = String(n - 1);
    return this.ctx.lab.testImage(i);
  }

  traverse() {
    let t;
    try {
      t = this.ctx.lab.traverse(this.testImage(this.els.travDigit), STEPS);
    } catch (e) {
      this.fail(e);
      return false;
    }
    const c = this.els.traversal;
    c.height = t.units * SIZE;
    const ctx = blank(c);
    for (let j = 0; j < t.units; j++) {
      for (let k = 0; k < t.steps; k++) {
        const at = (j * t.steps + k) * 784;
        drawDigit(ctx, Float32Array.from(t.images.slice(at, at + 784)), k * SIZE, j * SIZE);
      }
    }
    c.dataset.units = String(t.units);
    this.els.note.textContent = `Rows: code units 1–${t.units}, each from ${t.lo[0].toFixed(2)}… to …${t.hi[0].toFixed(2)} (unit 1; every unit has its own range).`;
    return true;
  }

  blend(toDrawing = false) {
    let b;
    try {
      const a = this.testImage(this.els.interpA);
      const other = toDrawing ? this.drawing() : this.testImage(this.els.interpB);
      if (!other) {
        this.els.note.textContent = 'Draw a digit on the pad first, then blend into it.';
        return false;
      }
      b = this.ctx.lab.interpolate(a, other, STEPS);
    } catch (e) {
      this.fail(e);
      return false;
    }
    const ctx = blank(this.els.interp);
    for (let k = 0; k < b.steps; k++) {
      drawDigit(ctx, Float32Array.from(b.codes.slice(k * 784, (k + 1) * 784)), k * SIZE, 0);
      drawDigit(ctx, Float32Array.from(b.pixels.slice(k * 784, (k + 1) * 784)), k * SIZE, SIZE);
    }
    this.els.interp.dataset.to = toDrawing ? 'drawing' : 'test digit';
    return true;
  }

  fail(/** @type {any} */ e) {
    this.clear(`${e.message}.`);
    this.els.note.textContent = e.message;
  }
}
