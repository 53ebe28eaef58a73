// The experiment view: model and preset pickers, settings, start / pause /
// reset / run all, the progress bar with ETA, live figures, the cost and
// accuracy chart and the log.

import { inFrame, throttle } from '../context.js';
import { Runner } from '../scheduler.js';
import uPlot from '../vendor/uPlot.esm.js';
import { SettingsForm } from './settings.js';

const fmt = (/** @type {number | null | undefined} */ v, d = 3) => (v == null ? '–' : v.toFixed(d));

export class TrainingView {
  /**
   * @param {import('../context.js').Context} ctx the shared context (lab, engine)
   * @param {Record<string, any>} els model, preset, settings, start, pause, reset, runAll, modelDesc,
   *   progress, progressText, live, testAccuracy, chart, log, error
   * @param {Record<string, Function>} hooks onStart(config), onSlice(progress), onFinished(results, config, preset), onReset()
   */
  constructor(ctx, els, hooks = {}) {
    this.ctx = ctx;
    this.els = els;
    this.hooks = hooks;
    /** @type {any[]} queued runs (see runQueue) */
    this.queue = [];
    /** @type {any} the queue entry running now, if the run came from the queue */
    this.current = null;
    this.runner = new Runner(
      (ms) => this.slice(ms),
      (p) => this.show(p),
    );
    this.experiments = ctx.engine.experiments();
    this.settings = new SettingsForm(els.settings, () => ctx.engine.freshSeed());
    // The chart redraws a few times a second at most: setData is not free.
    /** @type {ResizeObserver | null} */
    this.resizer = null;
    this.points = /** @type {any} */ ([[], [], []]);
    /** @type {any} the last slice's progress */
    this.last = null;
    /** @type {object | null} a queued run's view reset, still to come (see start) */
    this.pending = null;
    this.showFigures = throttle((/** @type {any} */ p) => this.figures(p), 200);
    this.redraw = throttle(
      inFrame(() => this.chart.setData(this.points)),
      250,
    );
    for (const e of this.experiments) els.model.add(new Option(e.name, e.name));
    els.model.value = 'mnist_mlp_all';
    els.model.addEventListener('change', () => this.loadPreset());
    els.preset.addEventListener('change', () => this.loadPreset());
    this.loadPreset();
    els.start.addEventListener('click', () => this.startFromForm());
    els.pause.addEventListener('click', () => this.togglePause());
    els.reset.addEventListener('click', () => this.reset());
    els.runAll.addEventListener('click', () => this.runAll());
    els.start.disabled = els.runAll.disabled = false;
  }

  /**
   * Shows the chosen model's preset, whose recipe depends on whether the
   * images are digits (best deskews digits only): the loaded data set's, or
   * `digits` for the data set a link is about to load.
   */
  loadPreset(digits = this.ctx.dataset?.digits ?? true) {
    this.describe();
    this.settings.show(this.ctx.engine.presetConfig(this.els.model.value, this.els.preset.value, digits));
  }

  /** The data set changed: its preset, with the person's edits kept. */
  datasetChanged() {
    const edits = this.settings.edits();
    this.loadPreset();
    this.settings.setValues(edits);
  }

  /** The chosen model's description and reference figure (for MNIST only). */
  describe() {
    const e = this.experiments.find((/** @type {any} */ x) => x.name === this.els.model.value);
    const ref =
      e.reference_accuracy == null
        ? 'no accuracy figure (retrieval only)'
        : `reference accuracy ${(e.reference_accuracy * 100).toFixed(1)}% on the full protocol${this.ctx.dataset?.id === 'mnist' ? '' : ', on MNIST: not comparable with this data set'}`;
    this.els.modelDesc.textContent = `${e.description} — ${ref}.`;
  }

  startFromForm() {
    this.queue = [];
    this.current = null;
    let config;
    try {
      config = this.settings.read();
    } catch (e) {
      this.refused(e);
      return;
    }
    this.start(config);
  }

  /**
   * Runs every reference model in sequence with the chosen preset, over
   * `seeds` seeds (the form's seed, then the next ones).
   */
  runAll(seeds = Number(this.els.runSeeds?.value ?? 1)) {
    this.hooks.onRunAll?.(seeds);
    const base = Number(this.settings.read().seed);
    /** @type {any[]} */
    const queue = [];
    for (let s = 0; s < seeds; s++) for (const e of this.experiments) queue.push({ model: e.name, seed: base + s });
    this.runQueue(queue);
  }

  /**
   * Runs queued entries one after another: `{ model, seed }` (a reference
   * model in the chosen preset) or `{ config }`; each entry's `done(results)`
   * is called when its run finishes.
   * @param {any[]} entries
   */
  runQueue(entries) {
    this.queue = entries;
    this.next();
  }

  next() {
    const e = this.queue.shift();
    if (!e) return;
    let config = e.config;
    if (e.model) {
      if (e.preset) this.els.preset.value = e.preset;
      this.els.model.value = e.model;
      this.loadPreset();
      config = this.settings.read();
      if (e.seed != null) config.seed = e.seed;
    }
    this.current = e;
    this.start(config, true);
  }

  /** A setting the page or the engine refused: said next to its control, and above. */
  refused(/** @type {any} */ e) {
    this.queue = [];
    this.settings.showError(e.field, e.message);
    this.showError(e.message);
  }

  /**
   * @param {any} config
   * @param {boolean} [queued] the views are reset in a task after the
   *   engine's start: a queued run starts at the end of the last one, beside
   *   its views' refreshes, and the two halves together ran 17–31 ms on a
   *   host half as fast (issue 16)
   */
  start(config, queued = false) {
    this.pending = null;
    this.hideError();
    this.settings.clearErrors();
    try {
      // Refused here, the engine keeps the current run and model as they were.
      this.ctx.lab.start(config);
    } catch (e) {
      this.refused(e);
      return;
    }
    this.config = config;
    this.preset = this.els.preset.value;
    if (queued) {
      // Dropped if anything stops, resets or replaces the run in between.
      const pending = {};
      this.pending = pending;
      setTimeout(() => {
        if (this.pending === pending) this.begin(config);
      }, 0);
    } else this.begin(config);
    this.els.pause.disabled = false;
    this.els.pause.textContent = 'Pause';
    this.els.reset.disabled = false;
  }

  /** Evaluates a model the lab just loaded (from a file, or the starter). */
  evaluateLoaded(/** @type {string} */ how = 'loaded file') {
    this.queue = [];
    this.current = null;
    this.config = this.ctx.lab.config();
    this.preset = how;
    this.begin(this.config);
    this.els.reset.disabled = false;
  }

  /** @param {any} config */
  begin(config) {
    this.pending = null;
    /** @type {any} the chart's series: progress %, cost, accuracy */
    this.points = [[], [], []];
    this.makeChart();
    this.els.log.textContent = '';
    this.els.testAccuracy.textContent = '…';
    this.hooks.onStart?.(config);
    this.runner.start();
  }

  /** Stops whatever runs or is queued (the engine is being replaced). */
  stop() {
    this.pending = null;
    this.runner.pause();
    this.queue = [];
  }

  togglePause() {
    if (this.pending) return; // the run starts in a moment (see start)
    if (this.runner.running) {
      this.runner.pause();
      // Where it stopped, not where the figures were last written.
      if (this.last) this.figures(this.last);
      this.els.pause.textContent = 'Resume';
    } else if (!this.ctx.lab.finished()) {
      this.runner.start();
      this.els.pause.textContent = 'Pause';
    }
  }

  reset() {
    let running = false;
    try {
      running = this.config != null && !this.ctx.lab.finished();
    } catch {
      /* no run */
    }
    if (running) this.hooks.onStopped?.(this.config, this.preset);
    this.stop();
    this.ctx.lab.reset();
    this.els.progress.value = 0;
    this.els.progressText.textContent = 'idle';
    this.els.live.textContent = '';
    this.els.testAccuracy.textContent = '–';
    this.els.pause.disabled = this.els.reset.disabled = true;
    this.hooks.onReset?.();
  }

  /** @param {number} budgetMs */
  slice(budgetMs) {
    const p = this.ctx.lab.step(1e6, budgetMs);
    p.done = p.phase === 'done' || p.phase === 'failed';
    return p;
  }

  /**
   * The progress bar and live figures. Written a few times a second, not
   * after every slice: each change costs the next frame a style, layout
   * and paint pass over the whole page, 6 ms a frame that the engine's
   * slices then waited for (issue 16).
   * @param {any} p
   */
  figures(p) {
    const els = this.els;
    const frac = p.fraction ?? 1;
    els.progress.value = frac;
    const where = p.epochs ? ` epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}` : '';
    const eta = frac > 0.02 && frac < 1 ? ` · about ${Math.ceil((p.elapsed * (1 - frac)) / frac)} s left` : '';
    els.progressText.textContent = `${p.phase ?? 'stopped'}${where} · ${(frac * 100).toFixed(0)}% · ${fmt(p.elapsed, 1)} s${eta}`;
    const parts = [];
    if (p.cost != null) parts.push(`cost ${fmt(p.cost)}`);
    if (p.accuracy != null) parts.push(`train accuracy ${fmt(p.accuracy)}`);
    if (p.recon_mse != null) parts.push(`recon MSE ${fmt(p.recon_mse, 4)} per pixel (0..1)`);
    if (parts.length) els.live.textContent = parts.join(' · ');
  }

  /** @param {any} p */
  show(p) {
    const els = this.els;
    if (p.error) this.showError(p.error);
    this.last = p;
    this.showFigures(p.done, p);
    if (p.cost != null) this.plot(p);
    if (p.log?.length) {
      const log = els.log;
      log.textContent += `${p.log.join('\n')}\n`;
      log.scrollTop = log.scrollHeight;
    }
    this.hooks.onSlice?.(p);
    if (p.done) {
      els.pause.disabled = true;
      if (p.phase === 'done') {
        const r = this.ctx.lab.results();
        els.testAccuracy.textContent = r.test_accuracy == null ? 'n/a (no classifier)' : `${(r.test_accuracy * 100).toFixed(1)}%`;
        this.hooks.onFinished?.(r, this.config, this.preset);
        const entry = this.current;
        this.current = null;
        entry?.done?.(r);
        // The next queued run starts in a task of its own: a slice, the
        // views' refresh and a start together would overrun a frame.
        setTimeout(() => this.next(), 0);
      } else {
        this.queue = [];
        this.hooks.onFailed?.(p, this.config, this.preset);
      }
    }
  }

  makeChart() {
    const el = this.els.chart;
    this.chart?.destroy();
    this.chart = new uPlot(
      {
        width: Math.max(200, el.clientWidth || 600),
        height: 180,
        scales: { x: { time: false }, acc: { range: [0, 1] } },
        axes: [{ label: 'progress %' }, { label: 'cost' }, { scale: 'acc', side: 1, label: 'accuracy', grid: { show: false } }],
        series: [{}, { label: 'cost', stroke: '#2f6fde' }, { label: 'train accuracy', stroke: '#1b9e55', scale: 'acc' }],
      },
      this.points,
      el,
    );
    // The chart follows its box's width (a phone turned, a window resized).
    this.resizer ??= new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (this.chart && Math.abs(this.chart.width - width) > 1) this.chart.setSize({ width, height: 180 });
    });
    this.resizer.observe(el);
  }

  /** @param {any} p */
  plot(p) {
    this.points[0].push(p.fraction * 100);
    this.points[1].push(p.cost);
    this.points[2].push(p.accuracy ?? null);
    this.redraw(p.done);
  }

  /** @param {string} msg */
  showError(msg) {
    this.els.error.textContent = msg;
    this.els.error.hidden = false;
  }

  hideError() {
    this.els.error.hidden = true;
  }
}
