// A guided path through the chapter: five steps, each a setup (runs of the
// ordinary model list, in a preset) plus the view that shows its point and
// the measured figure beside the report's. The steps are data; running one
// goes through the experiment view's queue, so the controls show the setup
// and a person can leave the path at any step and go on by hand.

const pct = (/** @type {number | null | undefined} */ v) => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);

/**
 * @typedef {{ title: string, text: string, runs: { model: string, preset: string }[], view: string,
 *   reference: string, figure: (results: any[], lab: any) => string }} Step
 * @type {Step[]}
 */
export const STEPS = [
  {
    title: 'Labels: all of them, or 1%',
    text: 'A small network [10] learns digits from labelled examples. With every label it does well; with 1% of them (80 here) it has too few examples per class and overfits.',
    runs: [
      { model: 'mnist_mlp_all', preset: 'faithful' },
      { model: 'mnist_mlp_1p', preset: 'faithful' },
    ],
    view: 'results-view',
    reference: 'report: 90.5% with all labels, 68.4% with 1%',
    figure: ([all, few]) => `measured: ${pct(all.test_accuracy)} with all labels, ${pct(few.test_accuracy)} with 1%`,
  },
  {
    title: 'An autoencoder rebuilds digits',
    text: 'An autoencoder needs no labels: it squeezes each image through a 10-number code and learns to rebuild the image from it. The reconstructions show what those 10 numbers keep.',
    runs: [{ model: 'mnist_auto_2', preset: 'best' }],
    view: 'recon-view',
    reference: 'report: reconstructions shown as pictures, no figure',
    figure: ([r]) =>
      `measured: per-pixel MSE ${r.recon_mse?.toFixed(4)} on the test digits (and ${pct(r.test_accuracy)} accuracy from 1% of labels)`,
  },
  {
    title: 'Pre-training, then 1% of labels — and a code too small',
    text: "Train the autoencoder first on every image, then the classifier on its code with 1% of the labels. In the report the unlabelled images help (74.6% against step 1's 68.4%); compare what this browser measures with step 1. Squeeze the code to a single unit and the digits pile onto one line: the classifier cannot pull them apart.",
    runs: [
      { model: 'mnist_auto_1', preset: 'faithful' },
      { model: 'mnist_auto_3', preset: 'faithful' },
    ],
    view: 'codemap-view',
    reference: 'report: 74.6% pre-trained with a 10-unit code, 18.7% with a 1-unit code',
    figure: ([ten, one]) => `measured: ${pct(ten.test_accuracy)} with a 10-unit code, ${pct(one.test_accuracy)} with a 1-unit code`,
  },
  {
    title: 'Denoising',
    text: 'Give the autoencoder noisy images but score it against the clean ones, and it learns to remove noise. Move the level slider: its reconstructions stay clean where the noisy input is not.',
    runs: [{ model: 'mnist_denoise', preset: 'best' }],
    view: 'denoise-view',
    reference: 'report: described, no figure',
    figure: (_r, lab) => {
      const d = lab.denoise('gaussian', 0.5, 500, 0, 1);
      return `measured at Gaussian noise sd 0.5: MSE ${d.mse.toFixed(4)} after denoising vs ${d.noisy_mse.toFixed(4)} for the noisy input`;
    },
  },
  {
    title: 'Semantic hashing and lookup',
    text: "Make the code's units into bits and every image gets a 10-bit key; images with the same key share a bucket. Looking up a query is reading its bucket: the digits there should mostly be the query's class.",
    runs: [{ model: 'mnist_hash_2', preset: 'best' }],
    view: 'hash-view',
    reference: 'report: buckets shown as pictures, no figure',
    figure: ([r]) =>
      `measured: ${pct(r.hash?.bucket_precision)} of a query's bucket share its label (${r.hash?.buckets_used} buckets used)`,
  },
];

export class PathView {
  /**
   * @param {import('../context.js').Context} ctx
   * @param {any} training the experiment view (its queue runs the steps)
   * @param {HTMLOListElement} list
   */
  constructor(ctx, training, list) {
    this.ctx = ctx;
    this.training = training;
    this.list = list;
    /** @type {HTMLElement[]} */
    this.figures = [];
    STEPS.forEach((step, i) => {
      const li = document.createElement('li');
      li.dataset.testid = 'path-step';
      const h = document.createElement('strong');
      h.textContent = step.title;
      const p = document.createElement('p');
      p.textContent = step.text;
      const button = document.createElement('button');
      button.textContent = `Run step ${i + 1}`;
      button.dataset.testid = `path-run-${i + 1}`;
      button.addEventListener('click', () => this.run(i));
      const fig = document.createElement('p');
      fig.className = 'figure';
      fig.dataset.testid = `path-figure-${i + 1}`;
      fig.textContent = step.reference;
      li.append(h, p, button, fig);
      list.append(li);
      this.figures.push(fig);
    });
    const all = document.createElement('button');
    all.textContent = 'Run every step in turn';
    all.dataset.testid = 'path-run-all';
    all.addEventListener('click', () => this.run(0, true));
    list.after(all);
  }

  /** Runs step i (and, with `onward`, the steps after it, one after another). */
  run(/** @type {number} */ i, onward = false) {
    const step = STEPS[i];
    /** @type {any[]} */
    const results = [];
    [...this.list.children].forEach((li, k) => {
      li.classList.toggle('current', k === i);
    });
    this.figures[i].textContent = `${step.reference} · running…`;
    const entries = step.runs.map((r, k) => ({
      ...r,
      done: (/** @type {any} */ res) => {
        results.push(res);
        if (k < step.runs.length - 1) return;
        // After the views' own refresh (queued by the run's end).
        setTimeout(() => {
          let fig;
          try {
            fig = step.figure(results, this.ctx.lab);
          } catch (e) {
            fig = `could not measure: ${/** @type {Error} */ (e).message}`;
          }
          this.figures[i].textContent = `${fig} · ${step.reference}`;
          this.figures[i].dataset.done = 'true';
          document.getElementById(step.view)?.scrollIntoView({ block: 'nearest' });
          if (onward && i + 1 < STEPS.length) setTimeout(() => this.run(i + 1, true), 0);
        }, 0);
      },
    }));
    this.training.runQueue(entries);
  }
}
