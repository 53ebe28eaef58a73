// Boot: load the engine and the digits, draw the grid, wire the views.
import init, * as engine from './pkg/aelab.js';
import { engineBuild } from './wasm.js';
import { drawGrid } from './views/digits.js';
import { TrainingView } from './views/training.js';
import { ReconView } from './views/recon.js';
import { CodeMapView } from './views/codemap.js';
import { HashView } from './views/hash.js';
import { DrawPad } from './views/drawpad.js';
import { ResultsView } from './views/results.js';

const $ = (id) => document.getElementById(id);
const status = $('status');

async function boot() {
  const t0 = performance.now();
  const build = engineBuild();
  const [wasm, bytes] = await Promise.all([
    init({ module_or_path: build.url }),
    fetch('data/mnist-10k.bin').then((r) => {
      if (!r.ok) throw new Error(`the digit data did not load (HTTP ${r.status}); run scripts/build.sh`);
      return r.arrayBuffer();
    }),
  ]);
  const data = new Uint8Array(bytes);
  let lab = new engine.Lab(data);
  let lastModel = null; // the last finished model's file, to restore after a panic
  drawGrid($('digits'), (i) => lab.image(i), lab.count());

  const recon = new ReconView(lab, $('recon'), $('recon-mse'));
  const codemap = new CodeMapView(lab, $('codemap'), $('codemap-legend'), $('codemap-note'));
  const hash = new HashView(lab, { canvas: $('hash'), radius: $('radius'), metrics: $('hash-metrics'), occupancy: $('hash-occupancy') });
  const pad = new DrawPad(lab, {
    pad: $('pad'), undo: $('pad-undo'), clear: $('pad-clear'), input: $('pad-input'), recon: $('pad-recon'),
    prediction: $('prediction'), probs: $('probs'), code: $('pad-code'), neighbours: $('pad-neighbours'), radius: $('radius'),
  });
  const results = new ResultsView(engine.experiments(), { body: $('results-body'), copy: $('copy-md'), markdown: $('markdown') });

  // The views that follow the model redraw a few times a second at most.
  let lastViews = 0;
  const refreshViews = (force) => {
    const now = performance.now();
    if (!force && now - lastViews < 400) return;
    lastViews = now;
    recon.refresh();
    codemap.refresh();
  };
  const training = new TrainingView(lab, engine, {
    onStart: () => {
      recon.clear();
      codemap.clear();
      hash.clear();
      $('save-model').disabled = true;
    },
    onSlice: (p) => { if (!p.done) refreshViews(false); },
    onFinished: (r, config, preset) => {
      try {
        lastModel = lab.saveModel();
      } catch {
        lastModel = null;
      }
      results.record(r, preset);
      // One task per view, so no task overruns a frame.
      for (const refresh of [() => refreshViews(true), () => hash.refresh(r), () => pad.update()]) setTimeout(refresh, 0);
      $('save-model').disabled = false;
    },
    onReset: () => { recon.clear(); codemap.clear(); hash.clear(); pad.update(); },
  });

  $('save-model').addEventListener('click', () => {
    const bytes = lab.saveModel();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    a.download = `${lab.config().name}.aelab`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
  $('load-model').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      lab.loadModel(new Uint8Array(await file.arrayBuffer()));
      training.hideError();
      training.evaluateLoaded();
    } catch (err) {
      training.showError(`${file.name}: ${err.message}`);
    }
    e.target.value = '';
  });

  // Exposed for tests and the curious: the lab, and the engine's memory.
  window.aelab = { lab, engine, training, pad, memory: wasm.memory };

  // A Rust panic aborts the wasm instance: everything after it would trap.
  // Start a fresh instance (the glue under a new URL is a new module), give
  // every view its new lab, and bring back the last finished model.
  let instances = 0;
  const restart = async (message) => {
    training.runner.pause();
    training.queue = [];
    instances += 1;
    const fresh = await import(`./pkg/aelab.js?instance=${instances}`);
    const freshWasm = await fresh.default({ module_or_path: build.url });
    lab = new fresh.Lab(data);
    for (const view of [training, recon, codemap, hash, pad]) view.lab = lab;
    training.engine = fresh;
    Object.assign(window.aelab, { lab, engine: fresh, memory: freshWasm.memory });
    let restored = false;
    if (lastModel) {
      try {
        lab.loadModel(lastModel);
        training.evaluateLoaded();
        restored = true;
      } catch { /* the fresh lab stays empty */ }
    } else {
      training.reset();
    }
    training.showError(`The engine stopped on an internal error and was restarted (${message.replace(/^aelab engine panic: /, '').replace(/\s+/g, ' ')}). ` +
      (restored ? 'The run in progress was lost; the last finished model is back.' : 'The run in progress was lost.'));
    document.body.dataset.restarts = String(instances);
  };
  globalThis.aelabOnPanic = (message) => setTimeout(() => restart(message).catch((e) => training.showError(`restarting the engine failed: ${e.message}`)));
  status.textContent = `Ready: ${lab.count().toLocaleString()} digits loaded in ${Math.round(performance.now() - t0)} ms (engine: ${build.name}). Pick a model and press Start.`;
  performance.mark('aelab-ready');
  document.body.dataset.ready = 'true';
  document.body.dataset.engine = build.name;
}

boot().catch((e) => {
  status.textContent = `aelab could not start: ${e.message}`;
  status.classList.add('error');
  console.error(e);
});
