// The experiment view: model and preset pickers, settings, start / pause /
// reset / run all, the progress bar with ETA, live figures, the cost and
// accuracy chart and the log.
import uPlot from '../vendor/uPlot.esm.js';
import { Runner } from '../scheduler.js';
import { SettingsForm } from './settings.js';

const $ = (id) => document.getElementById(id);
const fmt = (v, d = 3) => (v == null ? '–' : v.toFixed(d));

export class TrainingView {
  /**
   * @param lab the engine's Lab; @param engine the wasm module's exports
   * @param hooks onStart(config), onSlice(progress), onFinished(results, config)
   */
  constructor(lab, engine, hooks = {}) {
    this.lab = lab;
    this.engine = engine;
    this.hooks = hooks;
    this.queue = [];
    this.runner = new Runner((ms) => this.slice(ms), (p) => this.show(p));
    this.experiments = engine.experiments();
    this.settings = new SettingsForm($('settings'));
    const select = $('model');
    for (const e of this.experiments) select.add(new Option(e.name, e.name));
    select.value = 'mnist_mlp_all';
    select.addEventListener('change', () => this.loadPreset());
    $('preset').addEventListener('change', () => this.loadPreset());
    this.loadPreset();
    $('start').addEventListener('click', () => this.startFromForm());
    $('pause').addEventListener('click', () => this.togglePause());
    $('reset').addEventListener('click', () => this.reset());
    $('run-all').addEventListener('click', () => this.runAll());
    $('start').disabled = $('run-all').disabled = false;
  }

  loadPreset() {
    const e = this.experiments.find((x) => x.name === $('model').value);
    const ref = e.reference_accuracy == null ? 'no accuracy figure (retrieval only)' : `reference accuracy ${(e.reference_accuracy * 100).toFixed(1)}% on the full protocol`;
    $('model-desc').textContent = `${e.description} — ${ref}.`;
    this.settings.show(this.engine.presetConfig(e.name, $('preset').value));
  }

  startFromForm() {
    this.queue = [];
    let config;
    try {
      config = this.settings.read();
    } catch (e) {
      this.showError(e.message);
      return;
    }
    this.start(config);
  }

  /** Runs every reference model in sequence with the chosen preset. */
  runAll() {
    this.queue = this.experiments.map((e) => e.name);
    this.next();
  }

  next() {
    const name = this.queue.shift();
    if (!name) return;
    $('model').value = name;
    this.loadPreset();
    this.start(this.settings.read());
  }

  start(config) {
    this.hideError();
    try {
      this.lab.start(config);
    } catch (e) {
      this.showError(e.message);
      this.queue = [];
      return;
    }
    this.config = config;
    this.preset = $('preset').value;
    this.points = [[], [], []];
    this.makeChart();
    $('log').textContent = '';
    $('test-accuracy').textContent = '…';
    $('pause').disabled = false;
    $('pause').textContent = 'Pause';
    $('reset').disabled = false;
    this.hooks.onStart?.(config);
    this.runner.start();
  }

  /** Evaluates a model the lab just loaded from a file. */
  evaluateLoaded() {
    this.queue = [];
    this.config = this.lab.config();
    this.preset = 'loaded file';
    this.points = [[], [], []];
    this.makeChart();
    $('log').textContent = '';
    $('test-accuracy').textContent = '…';
    this.hooks.onStart?.(this.config);
    this.runner.start();
  }

  togglePause() {
    if (this.runner.running) {
      this.runner.pause();
      $('pause').textContent = 'Resume';
    } else if (!this.lab.finished()) {
      this.runner.start();
      $('pause').textContent = 'Pause';
    }
  }

  reset() {
    this.runner.pause();
    this.queue = [];
    this.lab.reset();
    $('progress').value = 0;
    $('progress-text').textContent = 'idle';
    $('live').textContent = '';
    $('test-accuracy').textContent = '–';
    $('pause').disabled = $('reset').disabled = true;
    this.hooks.onReset?.();
  }

  slice(budgetMs) {
    const p = this.lab.step(1e6, budgetMs);
    p.done = p.phase === 'done' || p.phase === 'failed';
    return p;
  }

  show(p) {
    if (p.error) this.showError(p.error);
    const frac = p.fraction ?? 1;
    $('progress').value = frac;
    const where = p.epochs ? ` epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}` : '';
    const eta = frac > 0.02 && frac < 1 ? ` · about ${Math.ceil((p.elapsed * (1 - frac)) / frac)} s left` : '';
    $('progress-text').textContent = `${p.phase ?? 'stopped'}${where} · ${(frac * 100).toFixed(0)}% · ${fmt(p.elapsed, 1)} s${eta}`;
    const parts = [];
    if (p.cost != null) parts.push(`cost ${fmt(p.cost)}`);
    if (p.accuracy != null) parts.push(`train accuracy ${fmt(p.accuracy)}`);
    if (p.recon_mse != null) parts.push(`recon MSE ${fmt(p.recon_mse, 4)} per pixel (0..1)`);
    if (parts.length) $('live').textContent = parts.join(' · ');
    if (p.cost != null) this.plot(p);
    if (p.log?.length) {
      const log = $('log');
      log.textContent += p.log.join('\n') + '\n';
      log.scrollTop = log.scrollHeight;
    }
    this.hooks.onSlice?.(p);
    if (p.done) {
      $('pause').disabled = true;
      if (p.phase === 'done') {
        const r = this.lab.results();
        $('test-accuracy').textContent = r.test_accuracy == null ? 'n/a (no classifier)' : `${(r.test_accuracy * 100).toFixed(1)}%`;
        this.hooks.onFinished?.(r, this.config, this.preset);
        // The next queued run starts in a task of its own: a slice, the
        // views' refresh and a start together would overrun a frame.
        setTimeout(() => this.next(), 0);
      } else {
        this.queue = [];
      }
    }
  }

  makeChart() {
    const el = $('chart');
    this.chart?.destroy();
    this.chart = new uPlot({
      width: Math.max(200, el.clientWidth || 600),
      height: 180,
      scales: { x: { time: false }, acc: { range: [0, 1] } },
      axes: [{ label: 'progress %' }, { label: 'cost' }, { scale: 'acc', side: 1, label: 'accuracy', grid: { show: false } }],
      series: [{}, { label: 'cost', stroke: '#2f6fde' }, { label: 'train accuracy', stroke: '#1b9e55', scale: 'acc' }],
    }, this.points, el);
    // The chart follows its box's width (a phone turned, a window resized).
    this.resizer ??= new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (this.chart && Math.abs(this.chart.width - width) > 1) this.chart.setSize({ width, height: 180 });
    });
    this.resizer.observe(el);
  }

  plot(p) {
    this.points[0].push(p.fraction * 100);
    this.points[1].push(p.cost);
    this.points[2].push(p.accuracy ?? null);
    // Redraw a few times a second at most: setData is not free.
    const now = performance.now();
    if (!this.lastDraw || now - this.lastDraw > 250 || p.done) {
      this.chart.setData(this.points);
      this.lastDraw = now;
    }
  }

  showError(msg) {
    const el = $('error');
    el.textContent = msg;
    el.hidden = false;
  }

  hideError() {
    $('error').hidden = true;
  }
}
