// The plain-JS baseline: a batched MLP on Float32Arrays with the loops a
// careful JS programmer would write (i-p-j order, no allocation per step), and Adam.

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class PlainMlp {
  /** sizes: [784, …]; acts: one of 'relu' | 'sigmoid' | 'linear' per layer. */
  constructor(sizes, acts, batch, seed = 1) {
    const rand = rng(seed);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    this.acts = acts;
    this.layers = acts.map((act, l) => {
      const [k, n] = [sizes[l], sizes[l + 1]];
      const std = Math.sqrt(act === 'relu' ? 2 / k : 2 / (k + n));
      const w = new Float32Array(k * n).map(() => normal() * std);
      const b = new Float32Array(n);
      const z = () => new Float32Array(k * n);
      return { k, n, w, b, dw: z(), db: new Float32Array(n), mw: z(), vw: z(), mb: new Float32Array(n), vb: new Float32Array(n) };
    });
    this.t = 0;
    this.resize(batch);
  }

  resize(rows) {
    this.rows = rows;
    this.y = this.layers.map((l) => new Float32Array(rows * l.n));
    this.d = this.layers.map((l) => new Float32Array(rows * l.n));
  }

  forward(x, rows) {
    if (rows !== this.rows) this.resize(rows);
    let input = x;
    this.layers.forEach((l, i) => {
      const { k, n, w, b } = l;
      const y = this.y[i];
      for (let r = 0; r < rows; r++) {
        const yo = r * n;
        y.set(b, yo);
        for (let p = 0; p < k; p++) {
          const a = input[r * k + p];
          const wo = p * n;
          for (let j = 0; j < n; j++) y[yo + j] += a * w[wo + j];
        }
      }
      const act = this.acts[i];
      if (act === 'relu') for (let j = 0; j < y.length; j++) y[j] = Math.max(y[j], 0);
      else if (act === 'sigmoid') for (let j = 0; j < y.length; j++) y[j] = 1 / (1 + Math.exp(-y[j]));
      input = y;
    });
    return this.y[this.y.length - 1];
  }

  /** Backward after forward(x); the loss has written dL/dz of the last layer into this.d[last]. */
  backward(x) {
    const rows = this.rows;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const { k, n, w, dw, db } = this.layers[i];
      const dz = this.d[i];
      const input = i === 0 ? x : this.y[i - 1];
      dw.fill(0);
      db.fill(0);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < n; j++) db[j] += dz[r * n + j];
        for (let p = 0; p < k; p++) {
          const a = input[r * k + p];
          const o = p * n;
          for (let j = 0; j < n; j++) dw[o + j] += a * dz[r * n + j];
        }
      }
      if (i === 0) break;
      const dx = this.d[i - 1];
      const y = this.y[i - 1];
      for (let r = 0; r < rows; r++) {
        for (let p = 0; p < k; p++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += dz[r * n + j] * w[p * n + j];
          // Through the previous layer's activation (ReLU or sigmoid).
          const v = y[r * k + p];
          dx[r * k + p] = this.acts[i - 1] === 'relu' ? (v > 0 ? s : 0) : this.acts[i - 1] === 'sigmoid' ? s * v * (1 - v) : s;
        }
      }
    }
  }

  adam(lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-8) {
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const step = (lr * Math.sqrt(c2)) / c1;
    const e = eps * Math.sqrt(c2);
    const upd = (p, g, m, v) => {
      for (let j = 0; j < p.length; j++) {
        m[j] = b1 * m[j] + (1 - b1) * g[j];
        v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
        p[j] -= (step * m[j]) / (Math.sqrt(v[j]) + e);
      }
    };
    for (const l of this.layers) {
      upd(l.w, l.dw, l.mw, l.vw);
      upd(l.b, l.db, l.mb, l.vb);
    }
  }

  /** Softmax cross-entropy on the last layer's logits: writes dL/dz, returns the mean loss. */
  softmaxXent(labels, from) {
    const out = this.y[this.y.length - 1];
    const d = this.d[this.d.length - 1];
    const n = 10;
    let loss = 0;
    for (let r = 0; r < this.rows; r++) {
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, out[r * n + j]);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += d[r * n + j] = Math.exp(out[r * n + j] - max);
      const label = labels[from + r];
      loss += Math.log(sum) - (out[r * n + label] - max);
      for (let j = 0; j < n; j++) d[r * n + j] = (d[r * n + j] / sum - (j === label)) / this.rows;
    }
    return loss / this.rows;
  }

  /** Mean squared error against x through a sigmoid output: writes dL/dz, returns the loss. */
  mseSigmoid(x) {
    const out = this.y[this.y.length - 1];
    const d = this.d[this.d.length - 1];
    const scale = 2 / out.length;
    let loss = 0;
    for (let j = 0; j < out.length; j++) {
      const diff = out[j] - x[j];
      loss += diff * diff;
      d[j] = diff * scale * out[j] * (1 - out[j]);
    }
    return loss / out.length;
  }
}
