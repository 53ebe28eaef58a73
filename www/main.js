// Boot: load the engine and the digits, draw the grid, wire the views. Every
// view reaches the engine through one shared context (`ctx`), so a panic
// restart swaps the engine in one place.

import { $, inFrame, throttle } from './context.js';
import { History } from './history.js';
import init, * as engine from './pkg/aelab.js';
import { restartOnPanic } from './restart.js';
import { AnsweringView } from './views/answering.js';
import { CodeMapView } from './views/codemap.js';
import { CurveView } from './views/curve.js';
import { DatasetView } from './views/dataset.js';
import { DenoiseView } from './views/denoise.js';
import { drawGrid } from './views/digits.js';
import { DrawPad } from './views/drawpad.js';
import { ExploreView } from './views/explore.js';
import { HashView } from './views/hash.js';
import { LinkView } from './views/link.js';
import { ModelFileView } from './views/modelfile.js';
import { PathView } from './views/path.js';
import { ReconView } from './views/recon.js';
import { ResultsView } from './views/results.js';
import { RunsView } from './views/runs.js';
import { TrainingView } from './views/training.js';
import { engineBuild } from './wasm.js';

const status = $('status');

async function boot() {
  const t0 = performance.now();
  const build = engineBuild();
  // Fetched beside the engine and the data; loaded once both are in.
  const starter = fetch('data/starter.aelab').then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.arrayBuffer().then((b) => new Uint8Array(b));
  });
  starter.catch(() => {});
  const [wasm, bytes] = await Promise.all([
    init({ module_or_path: build.url }),
    fetch('data/mnist-10k.bin').then((r) => {
      if (!r.ok) throw new Error(`the digit data did not load (HTTP ${r.status}); run scripts/build.sh`);
      return r.arrayBuffer();
    }),
  ]);
  /** @type {Uint8Array} the loaded data as a page data file, to restore after a panic */
  let data = new Uint8Array(bytes);
  /** @type {import('./context.js').Context} */
  const ctx = { lab: new engine.Lab(data), engine, dataset: engine.datasets()[0], trainedOn: null };
  /** @type {Uint8Array | null} the last finished model's file, to restore after a panic */
  let lastModel = null;
  const grid = () => drawGrid($('digits'), (/** @type {number} */ i) => ctx.lab.image(i), ctx.lab.count());
  grid();

  const recon = new ReconView(ctx, $('recon'), $('recon-mse'));
  const codemap = new CodeMapView(ctx, {
    canvas: $('codemap'),
    legend: $('codemap-legend'),
    note: $('codemap-note'),
    decoded: $('map-decoded'),
    point: $('map-point'),
  });
  const hash = new HashView(ctx, { canvas: $('hash'), radius: $('radius'), metrics: $('hash-metrics'), occupancy: $('hash-occupancy') });
  const pad = new DrawPad(ctx, {
    pad: $('pad'),
    undo: $('pad-undo'),
    clear: $('pad-clear'),
    input: $('pad-input'),
    recon: $('pad-recon'),
    prediction: $('prediction'),
    note: $('pad-note'),
    probs: $('probs'),
    code: $('pad-code'),
    neighbours: $('pad-neighbours'),
    radius: $('radius'),
    pick: $('pad-pick'),
    use: $('pad-use'),
  });
  const explore = new ExploreView(
    ctx,
    {
      travDigit: $('trav-digit'),
      travRun: $('trav-run'),
      traversal: $('traversal'),
      interpA: $('interp-a'),
      interpB: $('interp-b'),
      interpRun: $('interp-run'),
      interpDrawing: $('interp-drawing'),
      interp: $('interp'),
      note: $('explore-note'),
    },
    () => pad.image(),
  );
  const denoise = new DenoiseView(ctx, {
    kind: $('noise-kind'),
    level: $('noise-level'),
    levelOut: $('noise-level-out'),
    curve: $('noise-curve'),
    canvas: $('denoise-canvas'),
    mse: $('denoise-mse'),
    chart: $('denoise-chart'),
  });
  const answering = new AnsweringView({ line: $('answering'), how: $('answering-how') });
  // The radius applies to every lookup: the hash view's and the pad's.
  $('radius').addEventListener('change', () => {
    hash.refresh();
    pad.update();
  });
  const dataset = new DatasetView(
    ctx,
    { select: $('dataset'), files: $('data-files'), drop: $('own-data'), error: $('data-error'), note: $('data-note') },
    (info, file) => {
      ctx.dataset = info;
      showBars(info.id);
      data = file;
      grid();
      pad.update();
      training.datasetChanged();
    },
  );
  const results = new ResultsView(
    engine.experiments(),
    { body: $('results-body'), copy: $('copy-md'), markdown: $('markdown') },
    (name) => {
      const c = engine.presetConfig(name, 'best', true);
      return { fraction: c.label_fraction, classifier: c.head != null, autoencoder: c.decoder.length > 0 };
    },
  );
  /** The loaded data set's trivial bars into the results table (none for one's own files). */
  const builtIn = engine.datasets().map((/** @type {any} */ d) => d.id);
  const showBars = (/** @type {string} */ id) =>
    (builtIn.includes(id) ? fetch(`data/bars-${id}.json`) : Promise.resolve(null))
      .then((r) => (r?.ok ? r.json() : null))
      .then((b) => results.showBars(b?.rows ?? null))
      .catch(() => results.showBars(null));
  showBars(ctx.dataset.id);

  // The views that follow the model redraw a few times a second at most,
  // in animation frames (inFrame): a slice of training and a redraw in one
  // task would add up to a long one. Each view is a redraw of its own, so
  // the frames can share them out.
  const [reconFrame, codemapFrame, padFrame] = [() => recon.refresh(), () => codemap.refresh(), () => pad.update()].map(inFrame);
  const refreshViews = throttle(() => {
    reconFrame();
    codemapFrame();
    padFrame();
  }, 400);
  const padSoon = throttle(
    inFrame(() => pad.update()),
    100,
  );
  const runs = new RunsView(
    new History(),
    { body: $('runs-body'), note: $('runs-note'), chart: $('runs-chart'), diff: $('runs-diff'), json: $('runs-json'), csv: $('runs-csv') },
    (/** @type {any} */ run) => reopen(run),
  );
  /**
   * The run of this page in progress that the history keeps (trained here,
   * not a loaded model): its record's id (a promise; null if the history
   * refused it). Kept from its start, checkpointed while it runs, ended with
   * its status, results and model; a run replaced before its end (Start,
   * Load, Reopen) ends as stopped with its last checkpoint.
   * @type {{ id: Promise<number | null> } | null}
   */
  let kept = null;
  const keptFields = () => ({ points: structuredClone(training.points), log: $('log').textContent });
  const keepStart = (/** @type {any} */ config, /** @type {string} */ preset) => {
    if (kept) keepEnd('stopped', null, null, false);
    if (preset !== 'best' && preset !== 'faithful') return;
    kept = {
      id: runs.start({
        name: `${config.name} (${preset})`,
        data: (ctx.trainedOn ?? ctx.dataset).id,
        seed: config.seed,
        config,
        results: null,
        points: [[], [], []],
        log: '',
        at: Date.now(),
      }),
    };
  };
  const checkpoint = throttle(() => {
    if (kept) runs.checkpoint(kept.id, keptFields());
  }, 3000);
  /** Ends the kept run; `current`: the lab and the views still hold it. */
  const keepEnd = (/** @type {string} */ status, /** @type {any} */ results, /** @type {Uint8Array | null} */ model, current = true) => {
    const k = kept;
    kept = null;
    if (!k) return;
    runs.end(k.id, { status, ...(current ? { results, model, ...keptFields() } : {}) });
  };
  const keepFinal = (/** @type {string} */ status, /** @type {any} */ results) => {
    // A finished run's file is saved once, as the panic restart's copy.
    /** @type {Uint8Array | null} */
    let model = status === 'finished' ? lastModel : null;
    try {
      model ??= ctx.lab.saveModel();
    } catch {
      /* a failed run may have no model to save */
    }
    keepEnd(status, results, model);
  };
  /** Makes a kept run current: its data set, its model, its evaluation. */
  const reopen = async (/** @type {any} */ run) => {
    // Read before anything changes, so a missing model costs nothing.
    let model;
    try {
      model = await runs.history.model(run.id);
      if (!model) throw new Error('its model is not in the history');
    } catch (e) {
      runs.say(`${run.name} could not be reopened: ${/** @type {Error} */ (e).message}.`, true);
      return;
    }
    if (run.data !== ctx.dataset.id) {
      if (!dataset.sets.some((/** @type {any} */ d) => d.id === run.data)) {
        runs.say(`${run.name} was trained on your own files, which the history does not keep: open them, then reopen the run.`, true);
        return;
      }
      await dataset.pick(run.data);
    }
    try {
      ctx.lab.loadModel(model);
    } catch (e) {
      runs.say(`${run.name} could not be reopened: ${/** @type {Error} */ (e).message}.`, true);
      return;
    }
    ctx.trainedOn = ctx.dataset;
    training.evaluateLoaded(`reopened: ${run.name}`);
    runs.say(`Reopened ${run.name}: its model answers the pad and the views.`);
  };
  const training = new TrainingView(
    ctx,
    {
      model: $('model'),
      preset: $('preset'),
      settings: $('settings'),
      start: $('start'),
      pause: $('pause'),
      reset: $('reset'),
      runAll: $('run-all'),
      runSeeds: $('run-seeds'),
      modelDesc: $('model-desc'),
      progress: $('progress'),
      progressText: $('progress-text'),
      live: $('live'),
      testAccuracy: $('test-accuracy'),
      chart: $('chart'),
      log: $('log'),
      error: $('error'),
    },
    {
      onStart: (/** @type {any} */ config) => {
        keepStart(config, training.preset);
        recon.clear();
        codemap.clear();
        hash.clear();
        explore.clear();
        denoise.clear();
        ctx.trainedOn = ctx.dataset;
        // Runs from a queue set the controls without change events.
        setTimeout(() => link.write(), 0);
        answering.training(config);
        $('save-model').disabled = true;
      },
      onSlice: (/** @type {any} */ p) => {
        if (p.done) return;
        checkpoint(false);
        refreshViews(false);
        // A drawing still waiting for its bucket is answered as soon as the
        // index exists (the starter's evaluation builds it first).
        if (pad.awaitingBucket()) padSoon(false);
      },
      onFinished: (/** @type {any} */ r, /** @type {any} */ config, /** @type {string} */ preset) => {
        try {
          lastModel = ctx.lab.saveModel();
        } catch {
          lastModel = null;
        }
        results.record(r, ctx.dataset.id === 'mnist' ? preset : `${preset} · ${ctx.dataset.name}`);
        keepFinal('finished', r);
        const label = `${config.name} (${preset})`;
        answering.answered(config, r, label);
        denoise.setModel(label);
        // One task per view, so no task overruns a frame.
        const refreshes = [
          () => refreshViews(true),
          () => hash.refresh(r),
          () => pad.update(),
          () => explore.traverse(),
          () => explore.blend(),
          () => denoise.refresh(),
        ];
        if (config.decoder?.length) refreshes.push(() => denoise.measure());
        for (const refresh of refreshes) setTimeout(refresh, 0);
        $('save-model').disabled = false;
      },
      onRunAll: () => results.clear(),
      onFailed: (/** @type {any} */ p) => keepFinal('failed', { error: p.error }),
      onStopped: () => keepFinal('stopped', null),
      onReset: () => {
        recon.clear();
        codemap.clear();
        hash.clear();
        explore.clear();
        denoise.clear();
        answering.none();
        pad.update();
      },
    },
  );

  const path = new PathView(ctx, training, $('path-steps'));
  const link = new LinkView(ctx, training, dataset, {
    copy: $('copy-link'),
    note: $('link-note'),
    field: $('link-field'),
    views: document.querySelector('nav.jump'),
  });
  const curve = new CurveView(ctx, training, {
    button: $('curve-run'),
    labels: $('curve-labels'),
    chart: $('curve-chart'),
    note: $('curve-note'),
  });

  new ModelFileView(ctx, training, {
    save: /** @type {HTMLButtonElement} */ ($('save-model')),
    tfjs: /** @type {HTMLButtonElement} */ ($('export-tfjs')),
    onnx: /** @type {HTMLButtonElement} */ ($('export-onnx')),
    load: /** @type {HTMLInputElement} */ ($('load-model')),
  });

  // Exposed for tests and the curious: the shared context, the views, and
  // the engine's memory.
  const aelab = {
    ctx,
    training,
    pad,
    curve,
    denoise,
    explore,
    codemap,
    path,
    link,
    runs,
    memory: wasm.memory,
    get lab() {
      return ctx.lab;
    },
    get engine() {
      return ctx.engine;
    },
  };
  Object.assign(window, { aelab });

  restartOnPanic(ctx, {
    training,
    buildUrl: build.url,
    data: () => data,
    lastModel: () => lastModel,
    onMemory: (memory) => {
      aelab.memory = memory;
    },
  });
  status.textContent = `Ready: ${ctx.lab.count().toLocaleString()} digits loaded in ${Math.round(performance.now() - t0)} ms (engine: ${build.name}). Draw a digit, or pick a model and press Start.`;
  // A link's setup is applied (or refused) before the page says it is ready.
  await link.restore();
  performance.mark('aelab-ready');
  document.body.dataset.ready = 'true';
  document.body.dataset.engine = build.name;
  // Offline after this visit: the service worker (tools/make-sw.mjs) caches
  // every file the page loads — 17 MB, so not while the page is arriving.
  setTimeout(() => navigator.serviceWorker?.register('sw.js').catch((e) => console.warn(`no offline copy: ${e.message}`)), 5000);
  // The starter model answers the pad on arrival (see the README): the
  // engine evaluates it on this page's own test digits, in rAF slices.
  try {
    ctx.lab.loadModel(await starter);
    ctx.trainedOn = ctx.dataset;
    training.evaluateLoaded('starter, trained at build time');
  } catch (e) {
    answering.say(`The starter model did not load (${/** @type {Error} */ (e).message}): press Start to train one.`);
  }
}

boot().catch((e) => {
  status.textContent = `aelab could not start: ${e.message}`;
  status.classList.add('error');
  console.error(e);
});
