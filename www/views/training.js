// The training view: model and preset pickers, start / pause / reset, the
// progress bar, live figures, the cost/accuracy chart and the log.
import uPlot from '../vendor/uPlot.esm.js';
import { Runner } from '../scheduler.js';

const $ = (id) => document.getElementById(id);
const fmt = (v, d = 3) => (v == null ? '–' : v.toFixed(d));

export class TrainingView {
  /** @param lab the engine's Lab; @param engine the wasm module's exports */
  constructor(lab, engine, { onFinished } = {}) {
    this.lab = lab;
    this.engine = engine;
    this.onFinished = onFinished ?? (() => {});
    this.runner = new Runner((ms) => this.slice(ms), (p) => this.show(p));
    this.experiments = engine.experiments();
    const select = $('model');
    for (const e of this.experiments) select.add(new Option(e.name, e.name));
    select.value = 'mnist_mlp_all';
    select.addEventListener('change', () => this.describe());
    this.describe();
    $('start').addEventListener('click', () => this.start());
    $('pause').addEventListener('click', () => this.togglePause());
    $('reset').addEventListener('click', () => this.reset());
    $('start').disabled = false;
  }

  describe() {
    const e = this.experiments.find((x) => x.name === $('model').value);
    const ref = e.reference_accuracy == null ? 'no accuracy figure (retrieval only)' : `reference accuracy ${(e.reference_accuracy * 100).toFixed(1)}% on the full protocol`;
    $('model-desc').textContent = `${e.description} — ${ref}.`;
  }

  config() {
    return this.engine.presetConfig($('model').value, $('preset').value);
  }

  start(config = this.config()) {
    this.hideError();
    try {
      this.lab.start(config);
    } catch (e) {
      this.showError(e.message);
      return;
    }
    this.points = [[], [], []];
    this.units = 0;
    this.makeChart();
    $('log').textContent = '';
    $('test-accuracy').textContent = '…';
    $('pause').disabled = false;
    $('pause').textContent = 'Pause';
    $('reset').disabled = false;
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
    this.lab.reset();
    $('progress').value = 0;
    $('progress-text').textContent = 'idle';
    $('live').textContent = '';
    $('test-accuracy').textContent = '–';
    $('pause').disabled = $('reset').disabled = true;
  }

  slice(budgetMs) {
    const p = this.lab.step(1e6, budgetMs);
    p.done = p.phase === 'done' || p.phase === 'failed';
    return p;
  }

  show(p) {
    if (p.error) {
      this.showError(p.error);
    }
    $('progress').value = p.fraction ?? 1;
    const pct = ((p.fraction ?? 1) * 100).toFixed(0);
    const where = p.epochs ? `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}` : '';
    $('progress-text').textContent = `${p.phase ?? 'stopped'} ${where} · ${pct}% · ${fmt(p.elapsed, 1)} s`;
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
    if (p.done) {
      $('pause').disabled = true;
      if (p.phase === 'done') {
        const r = this.lab.results();
        $('test-accuracy').textContent = r.test_accuracy == null ? 'n/a (no classifier)' : `${(r.test_accuracy * 100).toFixed(1)}%`;
        this.onFinished(r);
      }
    }
  }

  makeChart() {
    const el = $('chart');
    this.chart?.destroy();
    const width = Math.max(280, el.clientWidth || 600);
    this.chart = new uPlot({
      width,
      height: 180,
      scales: { x: { time: false }, acc: { range: [0, 1] } },
      axes: [{ label: 'progress %' }, { label: 'cost' }, { scale: 'acc', side: 1, label: 'accuracy', grid: { show: false } }],
      series: [{}, { label: 'cost', stroke: '#2f6fde' }, { label: 'train accuracy', stroke: '#1b9e55', scale: 'acc' }],
    }, this.points, el);
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
