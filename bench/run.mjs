// Runs the bench page in headless Chromium and prints its table with the
// ratios of aelab to each peer; writes every figure as JSON.
//   node bench/run.mjs [--quick] [--reps N] [--only w1,w2] [--json FILE] [--no-runall] [--slowdown N]
// --quick (what CI runs) checks that every engine ran and produced finite
// numbers; it says nothing about speed. Exits non-zero if anything is missing.
// A full run then runs the lab page's Run all in the same browser and reads
// it against its FLOP floor at the W2 step's measured rate (bench/runall.mjs).
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../e2e/browser.mjs';
import { CSP } from '../tools/serve.mjs';
import { measureRunAll, reportRunAll } from './runall.mjs';

const here = (p) => resolve(fileURLToPath(new URL(p, import.meta.url)));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = flag('--quick');
const jsonPath = option('--json') ?? (quick ? undefined : 'bench/results.json');

const mounts = {
  '/': here('.'),
  '/lab/': here('../www'),
  '/tfjs/': here('../node_modules/@tensorflow/tfjs/dist'),
  '/tfjs-wasm/': here('../node_modules/@tensorflow/tfjs-backend-wasm/dist'),
};
// The lab's policy plus string eval, which tf.min.js needs; still nothing
// from outside this origin.
const { page, url, errors, close, context } = await openBrowser({
  mounts,
  csp: CSP.replace("'wasm-unsafe-eval'", "'wasm-unsafe-eval' 'unsafe-eval'"),
});
let failed = false;
try {
  const query = new URLSearchParams();
  if (quick) query.set('quick', '1');
  if (option('--reps')) query.set('reps', option('--reps'));
  if (option('--only')) query.set('only', option('--only'));
  await page.goto(`${url}?${query}`);
  await page.waitForFunction(() => window.benchResults || window.benchError, null, { timeout: 20 * 60_000, polling: 500 });
  const error = await page.evaluate(() => window.benchError);
  if (error) throw new Error(`bench page failed: ${error}`);
  const out = await page.evaluate(() => window.benchResults);
  out.browser = (await context.browser()?.version()) ?? (await page.evaluate(() => navigator.userAgent));
  out.machine = { cpu: cpus()[0]?.model, cores: cpus().length };
  out.date = new Date().toISOString();
  report(out);
  if (errors.length) throw new Error(`console errors: ${errors.join('; ')}`);
  const bad = out.results.filter((r) => !(r.samples_per_s > 0) || !Number.isFinite(r.final));
  const engines = new Set(out.results.map((r) => r.engine));
  if (bad.length || engines.size < 5) throw new Error(`missing or non-finite figures: ${JSON.stringify(bad)} engines ${[...engines]}`);
  const gflops = (w) => out.results.find((r) => r.workload === w && r.engine === 'aelab')?.gflops;
  if (!quick && !flag('--no-runall') && gflops('w2')) {
    out.run_all = await measureRunAll(context, url, gflops('w2'), gflops('kernel'));
    // This host's speed drifts by tens of percent over a minute: W2 and the
    // kernel again straight after Run all bracket the rate it ran at.
    out.run_all.after = await rates(query);
    reportRunAll(out.run_all);
    if (gflops('kernel')) console.log(`whole W2 step ÷ kernel-only rate: ${((100 * gflops('w2')) / gflops('kernel')).toFixed(0)}%`);
    const il = out.interleaved;
    if (il) {
      console.log(
        `the same, their repetitions taking turns (best of ${il.reps} each): ${il.w2_gflops.toFixed(1)} ÷ ${il.kernel_gflops.toFixed(1)} GFLOP/s = ${((100 * il.w2_gflops) / il.kernel_gflops).toFixed(0)}%`,
      );
      const { w2, kernel, grads, adam } = il.step_us;
      console.log(
        `  a W2 step, µs: ${w2.toFixed(0)} = the kernel's products ${kernel.toFixed(0)} + loss and activations ${(grads - kernel).toFixed(0)} ` +
          `+ Adam ${(w2 - grads).toFixed(0)} (${adam.toFixed(0)} when it runs alone)`,
      );
    }
    const after = out.run_all.after;
    console.log(`the same, W2 and the kernel alone straight after Run all: ${((100 * after.w2_gflops) / after.kernel_gflops).toFixed(0)}%`);
    // Again on a host N times slower (Chromium's CPU throttling): do the
    // slices still fit inside a frame's worth of a task?
    const slow = Number(option('--slowdown') ?? 0);
    if (slow > 1) {
      out.run_all_slow = { slowdown: slow, ...(await measureRunAll(context, url, gflops('w2') / slow, gflops('kernel') / slow, slow)) };
      console.log(`
The same on a host ${slow}× slower (CPU throttling; the floor at the W2 rate ÷ ${slow}):`);
      reportRunAll(out.run_all_slow);
    }
  }
  if (jsonPath) {
    writeFileSync(jsonPath, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`\nwrote ${jsonPath}`);
  }
} catch (e) {
  console.error(e.message);
  failed = true;
} finally {
  await close();
}
process.exit(failed ? 1 : 0);

/** W2's and the kernel's GFLOP/s from a run of the bench page on those two alone. */
async function rates(query) {
  const q = new URLSearchParams(query);
  q.set('only', 'w2,kernel');
  await page.goto(`${url}?${q}`);
  await page.waitForFunction(() => window.benchResults || window.benchError, null, { timeout: 10 * 60_000, polling: 500 });
  const r = await page.evaluate(() => window.benchResults?.results ?? []);
  const g = (w) => r.find((x) => x.workload === w && x.engine === 'aelab')?.gflops ?? Number.NaN;
  return { w2_gflops: g('w2'), kernel_gflops: g('kernel') };
}

function report(out) {
  const fmt = (v) => Math.round(v).toLocaleString('en');
  console.log(`aelab bench${out.quick ? ' (quick: checks that it runs, not speed)' : ''}: ${out.reps} repetitions, batch ${out.batch}`);
  console.log(
    `browser: ${out.browser}; aelab: ${out.aelab_build}; TF.js ${out.tfjs.version} ${out.tfjs.backend}, SIMD ${out.tfjs.simd}, threads ${out.tfjs.threads}`,
  );
  console.log('\n| workload | engine | samples/s best | median | GFLOP/s | final | aelab ÷ this |');
  console.log('|---|---|---:|---:|---:|---|---:|');
  for (const r of out.results) {
    const mine = out.results.find((q) => q.workload === r.workload && q.engine === 'aelab');
    const ratio = mine && r.engine !== 'aelab' ? `${(mine.samples_per_s / r.samples_per_s).toFixed(1)}×` : '';
    console.log(
      `| ${r.workload} | ${r.engine} | ${fmt(r.samples_per_s)} | ${fmt(r.samples_per_s_median)} | ${r.gflops.toFixed(1)} | ${r.final_metric} ${r.final.toFixed(4)} | ${ratio} |`,
    );
  }
  const best = (w, pred) => Math.max(0, ...out.results.filter((r) => r.workload === w && pred(r.engine)).map((r) => r.samples_per_s));
  const aelab = (w) => best(w, (e) => e === 'aelab');
  const targets = [
    ['W2: aelab ≥ 6× best TF.js', aelab('w2') / best('w2', (e) => e.startsWith('TF.js')), 6],
    ['W1: aelab ≥ 3× best peer', aelab('w1') / best('w1', (e) => !e.startsWith('aelab')), 3],
    ['W3: aelab ≥ 2× TF.js', aelab('w3') / best('w3', (e) => e.startsWith('TF.js')), 2],
    ['kernel ≥ 50 GFLOP/s on W2 shapes', out.results.find((r) => r.workload === 'kernel')?.gflops ?? 0, 50],
  ];
  console.log('');
  // Quick runs time too little work for their figures to mean anything.
  if (out.quick) {
    console.log('(quick mode: no verdict on the speed targets)');
    return;
  }
  for (const [what, got, want] of targets) {
    if (Number.isFinite(got) && got > 0) console.log(`${got >= want ? 'met    ' : 'NOT met'}  ${what}: ${got.toFixed(1)}`);
  }
  const peak = out.results.find((r) => r.workload === 'f32x4 multiply-add ceiling' && r.engine === 'aelab')?.gflops;
  const kernel = out.results.find((r) => r.workload === 'kernel' && r.engine === 'aelab')?.gflops;
  if (peak && kernel)
    console.log(
      `         (the kernel runs at ${((100 * kernel) / peak).toFixed(0)}% of this browser's multiply-add ceiling, ${peak.toFixed(1)} GFLOP/s)`,
    );
}
