// The bench page: W1 / W2 / W3 (and aelab's kernel alone) with aelab,
// TensorFlow.js (wasm backend, SIMD, one thread; model.fit and a hand-written
// loop) and plain JS, one after another in this tab. Results go into the
// table and `window.benchResults`; bench/run.mjs drives it headlessly.
import init, { Bench, fmaPeak, gemmRepeat, Lab } from '/lab/pkg/aelab.js';
// The same glue under another URL is a second module instance: the plain SIMD build.
import initPlain, {
  Bench as BenchPlain,
  fmaPeak as fmaPeakPlain,
  gemmRepeat as gemmRepeatPlain,
  Lab as LabPlain,
} from '/lab/pkg/aelab.js?simd';
import { engineBuild, RELAXED } from '/lab/wasm.js';
import { PlainMlp } from './plain.js';

const params = new URLSearchParams(location.search);
const QUICK = params.has('quick');
const REPS = Math.max(1, Number(params.get('reps') ?? 3));
const ONLY = params.get('only')?.split(',');
const TRAIN = 8000;
const BATCH = 32;
// Units a repetition times: batches for W1/W2/kernel (250 = one epoch), encodes of all 2,000 for W3.
const UNITS = QUICK ? { w1: 10, w2: 5, w3: 1, kernel: 5 } : { w1: 250, w2: 250, w3: 20, kernel: 250 };

const SHAPES = {
  w1: { sizes: [784, 10, 10], acts: ['relu', 'linear'], train: true },
  w2: { sizes: [784, 64, 10, 64, 784], acts: ['relu', 'relu', 'relu', 'sigmoid'], train: true },
  w3: { sizes: [784, 64, 10], acts: ['relu', 'relu'], train: false },
  kernel: { sizes: [784, 64, 10, 64, 784], train: true },
};

/** FLOPs a sample, counted the same way for every engine: 2·MACs forward, 6·MACs training. */
function flopsPerSample(w) {
  const { sizes, train } = SHAPES[w];
  let macs = 0;
  for (let i = 0; i + 1 < sizes.length; i++) macs += sizes[i] * sizes[i + 1];
  // The kernel alone: only the products computed (no first-layer input gradient).
  if (w === 'kernel') return 6 * macs - 2 * sizes[0] * sizes[1];
  return (train ? 6 : 2) * macs;
}

const status = document.getElementById('status');
const say = (s) => {
  status.textContent = s;
};
const tick = () => new Promise((r) => setTimeout(r, 0));

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// ---- engines: setup(w) then warm() once, run(units) per repetition, evaluate() ----

function aelabEngine(name, BenchClass, lab) {
  let b;
  return {
    name,
    workloads: ['w1', 'w2', 'w3', 'kernel'],
    setup(w) {
      b = new BenchClass(lab, w, TRAIN, BATCH, 1);
    },
    run(units) {
      b.run(units);
    },
    evaluate() {
      return b.evaluate();
    },
    dispose() {
      b.free();
    },
  };
}

function plainEngine(data) {
  let net, w, cursor;
  return {
    name: 'plain JS',
    workloads: ['w1', 'w2', 'w3'],
    setup(work) {
      w = work;
      cursor = 0;
      net = new PlainMlp(SHAPES[w].sizes, SHAPES[w].acts, w === 'w3' ? 2000 : BATCH);
    },
    run(units) {
      for (let u = 0; u < units; u++) {
        if (w === 'w3') {
          net.forward(data.xEval, 2000);
          continue;
        }
        if (cursor + BATCH > TRAIN) cursor = 0;
        const x = data.x.subarray(cursor * 784, (cursor + BATCH) * 784);
        net.forward(x, BATCH);
        if (w === 'w1') net.softmaxXent(data.y, cursor);
        else net.mseSigmoid(x);
        net.backward(x);
        net.adam();
        cursor += BATCH;
      }
    },
    evaluate() {
      const out = net.forward(data.xEval, 2000);
      return w === 'w1' ? accuracy(out, data.yEval) : w === 'w2' ? mse(out, data.xEval) : mean(out);
    },
    dispose() {},
  };
}

function tfModel(w, forFit) {
  const { sizes, acts } = SHAPES[w];
  const model = tf.sequential();
  acts.forEach((act, i) => {
    const last = i === acts.length - 1;
    // model.fit needs the softmax inside the model; the hand loop uses logits.
    const activation = act === 'linear' && last && forFit ? 'softmax' : act;
    model.add(tf.layers.dense({ units: sizes[i + 1], activation, inputShape: i === 0 ? [784] : undefined }));
  });
  return model;
}

function tfEngine(data, mode) {
  let model, w, cursor, opt, batches, xEval;
  const lossOf = (pred, yb) => (w === 'w1' ? tf.losses.softmaxCrossEntropy(yb, pred) : tf.losses.meanSquaredError(yb, pred));
  return {
    name: `TF.js wasm (${mode})`,
    workloads: mode === 'fit' ? ['w1', 'w2', 'w3'] : ['w1', 'w2'],
    setup(work) {
      w = work;
      cursor = 0;
      model = tfModel(w, mode === 'fit');
      xEval = tf.tensor2d(data.xEval, [2000, 784]);
      if (w === 'w3') return;
      opt = tf.train.adam(0.001);
      if (mode === 'fit') {
        model.compile({ optimizer: opt, loss: w === 'w1' ? 'categoricalCrossentropy' : 'meanSquaredError' });
      }
      // Every batch as tensors, made once, outside the timing.
      batches = [];
      for (let r = 0; r + BATCH <= TRAIN; r += BATCH) {
        const x = tf.tensor2d(data.x.subarray(r * 784, (r + BATCH) * 784), [BATCH, 784]);
        const y = w === 'w1' ? tf.oneHot(tf.tensor1d(data.y.subarray(r, r + BATCH), 'int32'), 10).toFloat() : x;
        batches.push({ x, y });
      }
    },
    async run(units) {
      if (w === 'w3') {
        for (let u = 0; u < units; u++) tf.tidy(() => model.predict(xEval, { batchSize: 2000 })).dataSync();
        return;
      }
      if (mode === 'fit') {
        // One fit over this repetition's rows, in order, batch 32.
        const chosen = [];
        for (let u = 0; u < units; u++) {
          chosen.push(batches[cursor % batches.length]);
          cursor++;
        }
        const x = tf.concat(chosen.map((b) => b.x));
        const y = w === 'w1' ? tf.concat(chosen.map((b) => b.y)) : x;
        const t0 = performance.now();
        await model.fit(x, y, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
        const spent = performance.now() - t0;
        x.dispose();
        if (w === 'w1') y.dispose();
        return spent; // the concat above is setup, not training
      }
      let last;
      for (let u = 0; u < units; u++) {
        const b = batches[cursor++ % batches.length];
        last?.dispose();
        last = opt.minimize(() => lossOf(model.apply(b.x, { training: true }), b.y), true);
      }
      last.dataSync();
      last.dispose();
    },
    evaluate() {
      const out = tf.tidy(() => model.predict(xEval));
      const v = out.dataSync();
      out.dispose();
      return w === 'w1' ? accuracy(v, data.yEval) : w === 'w2' ? mse(v, data.xEval) : mean(v);
    },
    dispose() {
      model.dispose();
      xEval.dispose();
      batches?.forEach((b) => {
        b.x.dispose();
        if (b.y !== b.x) b.y.dispose();
      });
      batches = null;
      opt?.dispose?.();
    },
  };
}

function accuracy(out, labels) {
  let correct = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let j = 1; j < 10; j++) if (out[r * 10 + j] > out[r * 10 + best]) best = j;
    correct += best === labels[r];
  }
  return correct / labels.length;
}
function mse(out, x) {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += (out[j] - x[j]) ** 2;
  return s / x.length;
}
function mean(out) {
  let s = 0;
  for (const v of out) s += v;
  return s / out.length;
}

async function measure(engine, w) {
  engine.setup(w);
  await engine.run(1); // warm-up: compilation, first allocations
  const seconds = [];
  for (let r = 0; r < REPS; r++) {
    await tick();
    const t0 = performance.now();
    const inner = await engine.run(UNITS[w]);
    seconds.push((typeof inner === 'number' ? inner : performance.now() - t0) / 1000);
  }
  const final = engine.evaluate();
  engine.dispose();
  const samples = UNITS[w] * (w === 'w3' ? 2000 : BATCH);
  const best = samples / Math.min(...seconds);
  return {
    workload: w,
    engine: engine.name,
    samples_per_rep: samples,
    seconds,
    samples_per_s: best,
    samples_per_s_median: samples / median(seconds),
    gflops: (best * flopsPerSample(w)) / 1e9,
    final_metric: w === 'w1' ? 'accuracy' : w === 'w2' || w === 'kernel' ? 'mse' : 'mean code',
    final,
  };
}

function addRow(r) {
  const tr = document.createElement('tr');
  tr.dataset.workload = r.workload;
  tr.dataset.engine = r.engine;
  for (const v of [
    r.workload,
    r.engine,
    Math.round(r.samples_per_s).toLocaleString('en'),
    Math.round(r.samples_per_s_median).toLocaleString('en'),
    r.gflops.toFixed(1),
    `${r.final_metric} ${r.final.toFixed(4)}`,
  ]) {
    const td = document.createElement('td');
    td.textContent = v;
    tr.append(td);
  }
  document.querySelector('#results tbody').append(tr);
}

async function main() {
  const build = engineBuild();
  await init({ module_or_path: build.url });
  await initPlain({ module_or_path: engineBuild(false).url });
  say('loading data…');
  const bytes = new Uint8Array(await (await fetch('/lab/data/mnist-10k.bin')).arrayBuffer());
  const lab = new Lab(bytes);
  const n = lab.count();
  const x = new Float32Array(n * 784);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const img = lab.image(i);
    for (let j = 0; j < 784; j++) x[i * 784 + j] = img[j] / 255;
    y[i] = lab.label(i);
  }
  const data = { x, y, xEval: x.slice(TRAIN * 784, (TRAIN + 2000) * 784), yEval: y.slice(TRAIN, TRAIN + 2000) };

  tf.wasm.setWasmPaths('/tfjs-wasm/');
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');

  // 'aelab' is what the lab page loads here; the plain SIMD build is what
  // browsers without relaxed SIMD get.
  const engines = [aelabEngine('aelab', Bench, lab)];
  if (RELAXED) engines.push(aelabEngine('aelab (SIMD only)', BenchPlain, new LabPlain(bytes)));
  engines.push(tfEngine(data, 'fit'), tfEngine(data, 'loop'), plainEngine(data));
  const results = [];
  for (const w of ['w1', 'w2', 'w3', 'kernel']) {
    if (ONLY && !ONLY.includes(w)) continue;
    for (const e of engines) {
      if (!e.workloads.includes(w)) continue;
      say(`${w}: ${e.name}…`);
      await tick();
      const r = await measure(e, w);
      results.push(r);
      addRow(r);
    }
  }
  // The kernel alone on each product of a W2 step at batch 32 (m = batch):
  // X·W + b, Xᵀ·dZ and dZ·Wᵀ for the layers 784→64→10→64→784.
  if (!ONLY || ONLY.includes('shapes')) {
    const layers = [
      [784, 64],
      [64, 10],
      [10, 64],
      [64, 784],
    ];
    const shapes = [
      ...layers.map(([k, n]) => ['xw', k, n]),
      ...layers.map(([k, n]) => ['xtdz', k, n]),
      ...layers.slice(1).map(([k, n]) => ['dzwt', k, n]),
    ];
    const builds = [['aelab', gemmRepeat]];
    if (RELAXED) builds.push(['aelab (SIMD only)', gemmRepeatPlain]);
    for (const [name, fn] of builds) {
      for (const [form, k, n] of shapes) {
        say(`kernel ${form} ${BATCH}×${k}×${n}: ${name}…`);
        await tick();
        const reps = QUICK ? 20 : 2000;
        fn(form, BATCH, k, n, 5);
        const seconds = [];
        let sum;
        for (let r = 0; r < REPS; r++) {
          const t0 = performance.now();
          sum = fn(form, BATCH, k, n, reps);
          seconds.push((performance.now() - t0) / 1000);
          if (!Number.isFinite(sum)) throw new Error(`gemm ${form} gave ${sum}`);
        }
        const r = {
          workload: `gemm ${form} ${BATCH}×${k}×${n}`,
          engine: name,
          samples_per_rep: reps * BATCH,
          seconds,
          samples_per_s: (reps * BATCH) / Math.min(...seconds),
          samples_per_s_median: (reps * BATCH) / median(seconds),
          gflops: (2 * BATCH * k * n * reps) / Math.min(...seconds) / 1e9,
          final_metric: 'checksum',
          final: sum,
        };
        results.push(r);
        addRow(r);
      }
    }
  }
  // What the kernel's GFLOP/s are read against: this browser's multiply-add
  // ceiling on this machine, registers only (bench::fma_peak).
  if (!ONLY || ONLY.includes('kernel') || ONLY.includes('shapes')) {
    const peaks = [['aelab', fmaPeak]];
    if (RELAXED) peaks.push(['aelab (SIMD only)', fmaPeakPlain]);
    for (const [name, fn] of peaks) {
      say(`f32x4 multiply-add ceiling: ${name}…`);
      await tick();
      const rounds = QUICK ? 100_000 : 20_000_000;
      fn(1000);
      const seconds = [];
      let sum;
      for (let r = 0; r < REPS; r++) {
        const t0 = performance.now();
        sum = fn(rounds);
        seconds.push((performance.now() - t0) / 1000);
      }
      if (!Number.isFinite(sum)) throw new Error(`fmaPeak gave ${sum}`);
      const r = {
        workload: 'f32x4 multiply-add ceiling',
        engine: name,
        samples_per_rep: rounds,
        seconds,
        samples_per_s: rounds / Math.min(...seconds),
        samples_per_s_median: rounds / median(seconds),
        gflops: (96 * rounds) / Math.min(...seconds) / 1e9,
        final_metric: 'checksum',
        final: sum,
      };
      results.push(r);
      addRow(r);
    }
  }
  // The whole W2 step against the kernel alone, their repetitions taking
  // turns: measured minutes apart, the two drift apart with this host's
  // speed (W2 ÷ kernel 55–82% over one day's full runs). The step without
  // its Adam update, and that update alone, take turns with them, to say
  // where the difference goes.
  let interleaved = null;
  if (!QUICK && (!ONLY || (ONLY.includes('w2') && ONLY.includes('kernel')))) {
    say('W2, the kernel and its parts taking turns…');
    await tick();
    const parts = ['w2', 'kernel', 'grads', 'adam'].map((w) => ({ w, e: aelabEngine('aelab', Bench, lab), best: Infinity }));
    for (const p of parts) {
      p.e.setup(p.w);
      p.e.run(1);
    }
    const units = UNITS.w2;
    for (let r = 0; r < 2 * REPS; r++) {
      for (const p of parts) {
        const t0 = performance.now();
        p.e.run(units);
        p.best = Math.min(p.best, (performance.now() - t0) / 1000);
      }
    }
    const [w2, kernel] = parts.slice(0, 2).map((p) => (units * BATCH * flopsPerSample(p.w)) / p.best / 1e9);
    const us = Object.fromEntries(parts.map((p) => [p.w, (1e6 * p.best) / units]));
    for (const p of parts) p.e.dispose();
    interleaved = { reps: 2 * REPS, w2_gflops: w2, kernel_gflops: kernel, step_us: us };
  }
  window.benchResults = {
    quick: QUICK,
    interleaved,
    reps: REPS,
    batch: BATCH,
    user_agent: navigator.userAgent,
    aelab_build: build.name,
    tfjs: { version: tf.version.tfjs, backend: tf.getBackend(), simd, threads },
    results,
  };
  say(`done: ${results.length} measurements`);
}

main().catch((e) => {
  say(`failed: ${e.message}`);
  window.benchError = String(e.stack ?? e);
});
