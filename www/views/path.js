// A guided path through the chapter: five steps, each a setup (runs of the
// ordinary model list, in a preset, over three seeds) plus the view that
// shows its point, its figures as mean ± sd beside the report's, and the
// lesson as a difference between two rows with its error bar. The steps are
// data; running one goes through the experiment view's queue, so the
// controls show the setup and a person can leave the path at any step.

import { lessonText, meanSd } from '../stats.js';

/** Every step runs its rows with these seeds, as `aelab run --seeds 3` does. */
export const SEEDS = [1, 2, 3];

const pct = (/** @type {number[]} */ v) => {
  const [m, sd] = meanSd(v);
  return `${(m * 100).toFixed(1)} ± ${(sd * 100).toFixed(1)}%`;
};
const num = (/** @type {number[]} */ v, d = 4) => {
  const [m, sd] = meanSd(v);
  return `${m.toFixed(d)} ± ${sd.toFixed(d)}`;
};
const accuracy = (/** @type {any} */ r) => r.test_accuracy;

/**
 * A row of a step: a model in a preset, what is measured on each of its runs
 * (`measure(results, lab)`, called while the run's model is the lab's), how
 * that reads over the seeds, and the report's figure for it.
 * @typedef {{ model: string, preset: string, label: string, measure: (r: any, lab: any) => number,
 *   show: (values: number[]) => string, reference?: number }} Row
 * A lesson: row `a` minus row `b`, in points of accuracy (see `lessonText`).
 * @typedef {{ what: string, a: string, b: string, reference: number }} Lesson
 * @typedef {{ title: string, text: string, rows: Row[], lessons: Lesson[], view: string, reference: string }} Step
 */

/** @type {(model: string, label: string, reference: number) => Row} */
const faithful = (model, label, reference) => ({ model, preset: 'faithful', label, measure: accuracy, show: pct, reference });

/** @type {Step[]} */
export const STEPS = [
  {
    title: 'Labels: all of them, or 1%',
    text: 'A small network [10] learns digits from labelled examples. With every label it does well; with 1% of them (the report’s 480 labels) it has about 48 examples per class and overfits.',
    rows: [faithful('mnist_mlp_all', 'all labels', 0.905), faithful('mnist_mlp_1p', '1% of labels', 0.684)],
    lessons: [{ what: 'all labels rather than 1%', a: 'mnist_mlp_all', b: 'mnist_mlp_1p', reference: 0.905 - 0.684 }],
    view: 'results-view',
    reference: 'report: 90.5% with all labels, 68.4% with 1%',
  },
  {
    title: 'An autoencoder rebuilds digits',
    text: 'An autoencoder needs no labels: it squeezes each image through a 10-number code and learns to rebuild the image from it. The reconstructions show what those 10 numbers keep.',
    rows: [
      {
        model: 'mnist_auto_2',
        preset: 'best',
        label: 'per-pixel MSE on the test digits',
        measure: (r) => r.recon_mse,
        show: (v) => num(v),
      },
    ],
    lessons: [],
    view: 'recon-view',
    reference: 'report: reconstructions shown as pictures, no figure',
  },
  {
    title: 'Pre-training, then 1% of labels — and a code too small',
    text: 'Train the autoencoder first on every image, then the classifier on its code with 1% of the labels: the unlabelled images help. Squeeze the code to a single unit and the digits pile onto one line: the classifier cannot pull them apart.',
    rows: [
      faithful('mnist_mlp_1p', 'no pre-training', 0.684),
      faithful('mnist_auto_1', 'pre-trained, 10-unit code', 0.746),
      faithful('mnist_auto_3', 'pre-trained, 1-unit code', 0.187),
    ],
    lessons: [
      { what: 'pre-training', a: 'mnist_auto_1', b: 'mnist_mlp_1p', reference: 0.746 - 0.684 },
      { what: 'a 1-unit code instead of 10', a: 'mnist_auto_3', b: 'mnist_auto_1', reference: 0.187 - 0.746 },
    ],
    view: 'codemap-view',
    reference: 'report: 68.4% without pre-training, 74.6% pre-trained with a 10-unit code, 18.7% with a 1-unit code',
  },
  {
    title: 'Denoising',
    text: 'Give the autoencoder noisy images but score it against the clean ones, and it learns to remove noise. Move the level slider: its reconstructions stay clean where the noisy input is not.',
    rows: [
      {
        model: 'mnist_denoise',
        preset: 'best',
        label: 'MSE after denoising Gaussian noise of sd 0.5 (the noisy input: see the view)',
        measure: (_r, lab) => lab.denoise('gaussian', 0.5, 500, 0, 1).mse,
        show: (v) => num(v),
      },
    ],
    lessons: [],
    view: 'denoise-view',
    reference: 'report: described, no figure',
  },
  {
    title: 'Semantic hashing and lookup',
    text: "Make the code's units into bits and every image gets a 10-bit key; images with the same key share a bucket. Looking up a query is reading its bucket: the digits there should mostly be the query's class.",
    rows: [
      {
        model: 'mnist_hash_2',
        preset: 'best',
        label: "share of a query's bucket with the query's label",
        measure: (r) => r.hash?.bucket_precision,
        show: pct,
      },
    ],
    lessons: [],
    view: 'hash-view',
    reference: 'report: buckets shown as pictures, no figure',
  },
];

/**
 * What a step measured, each row's values over the seeds in seed order:
 * a line of figures beside the report's, then a line per lesson.
 * @param {Step} step
 * @param {Map<string, number[]>} values
 */
export function stepText(step, values) {
  const rows = step.rows.map((row) => {
    const v = values.get(row.model) ?? [];
    const ref = row.reference == null ? '' : ` (report ${(row.reference * 100).toFixed(1)}%)`;
    return `${row.label}: ${row.show(v)}${ref}`;
  });
  const lessons = step.lessons.map((l) => {
    const a = values.get(l.a) ?? [];
    const b = values.get(l.b) ?? [];
    return lessonText(l.what, a, b, l.reference);
  });
  const head = `measured over ${SEEDS.length} seeds (mean ± sd): ${rows.join('; ')} · ${step.reference}`;
  return [head, ...lessons.map((l) => `Lesson — ${l} (± one standard error).`)].join('\n');
}

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

  /** Runs step i over the seeds (and, with `onward`, the steps after it, one after another). */
  run(/** @type {number} */ i, onward = false) {
    const step = STEPS[i];
    const fig = this.figures[i];
    /** @type {Map<string, number[]>} */
    const values = new Map(step.rows.map((r) => [r.model, []]));
    [...this.list.children].forEach((li, k) => {
      li.classList.toggle('current', k === i);
    });
    delete fig.dataset.done;
    const total = SEEDS.length * step.rows.length;
    let finished = 0;
    fig.textContent = `${step.reference} · running 1 of ${total}…`;
    const entries = SEEDS.flatMap((seed) =>
      step.rows.map((row) => ({
        model: row.model,
        preset: row.preset,
        seed,
        done: (/** @type {any} */ res) => {
          // Measured now, while this run's model is the lab's.
          let v = Number.NaN;
          try {
            v = row.measure(res, this.ctx.lab) ?? Number.NaN;
          } catch {
            /* shown as not a number below */
          }
          values.get(row.model)?.push(v);
          finished += 1;
          if (finished < total) {
            fig.textContent = `${step.reference} · running ${finished + 1} of ${total}…`;
            return;
          }
          fig.textContent = stepText(step, values);
          fig.dataset.stats = JSON.stringify(Object.fromEntries(values));
          fig.dataset.done = 'true';
          document.getElementById(step.view)?.scrollIntoView({ block: 'nearest' });
          if (onward && i + 1 < STEPS.length) setTimeout(() => this.run(i + 1, true), 0);
        },
      })),
    );
    this.training.runQueue(entries);
  }
}
