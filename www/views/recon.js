// Reconstructions: ten test digits above what the autoencoder makes of them,
// with their per-pixel MSE (0..1 scale), refreshed while it trains.
import { blank, drawDigit, placeholder } from './digits.js';

const N = 10;

export class ReconView {
  constructor(ctx, canvas, label) {
    this.ctx = ctx;
    this.canvas = canvas;
    this.label = label;
    this.indices = Uint32Array.from({ length: N }, (_, i) => i);
    this.clear();
  }

  clear(
    text = 'Ten test digits and their reconstructions appear here once a model with a decoder (mnist_auto_*, mnist_hash_*) is trained or loaded.',
  ) {
    placeholder(this.canvas, text);
    this.label.textContent = '';
    // The figure of the model shown before must not pass for this one's.
    delete this.label.dataset.mse;
    this.mse = null;
  }

  /** Redraws from the current model; false when it has no decoder. */
  refresh() {
    let rec;
    try {
      rec = this.ctx.lab.reconstruct(this.indices);
    } catch {
      this.clear(
        'This model has no decoder, so nothing to rebuild: train an autoencoder (mnist_auto_*, mnist_hash_*) to see reconstructions here.',
      );
      return false;
    }
    // Compared with what the network was given (deskewed, if it deskews).
    const inputs = this.ctx.lab.inputs(this.indices);
    const ctx = blank(this.canvas);
    let se = 0;
    for (let k = 0; k < N; k++) {
      const orig = inputs.subarray(k * 784, (k + 1) * 784);
      const r = rec.subarray(k * 784, (k + 1) * 784);
      drawDigit(ctx, orig, k * 56, 0);
      drawDigit(ctx, r, k * 56, 56);
      for (let i = 0; i < 784; i++) se += (orig[i] - r[i]) ** 2;
    }
    this.mse = se / (N * 784);
    this.label.textContent = `Per-pixel MSE (0..1 scale) of these ten: ${this.mse.toFixed(4)}.`;
    this.label.dataset.mse = this.mse;
    return true;
  }
}
