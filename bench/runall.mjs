// The page's Run all against its FLOP floor, in the browser the bench page
// just ran in: `aelab floor` counts every FLOP each run must do, stage by
// stage (training products, the k-NN graph, label spreading, ITQ,
// evaluation); the floor is that count at the W2-step rate this browser
// measured minutes before. The lab page then runs Run all (best, one seed)
// while the bench times every engine step by the phase it worked in and
// counts long tasks (PerformanceObserver): time outside the engine's steps
// is the page's own (views, frames, the gaps between queued runs).
import { execFileSync } from 'node:child_process';
import { runAll } from '../e2e/browser.mjs';

/** The floor's FLOP counts, from the native CLI (built by scripts/build.sh). */
function floorCounts() {
  const out = execFileSync('cargo', ['run', '--quiet', '--release', '--bin', 'aelab', '--', 'floor'], { encoding: 'utf8' });
  return JSON.parse(out);
}

/**
 * Opens the lab in a new tab of `context`, runs Run all and returns the
 * figures: total seconds, per-row seconds (the results table's), engine
 * seconds per phase, long tasks, and the floor at `w2Gflops`; `slowdown`
 * throttles the page's CPU that many times (a slower host).
 */
export async function measureRunAll(context, url, w2Gflops, kernelGflops, slowdown = 1) {
  const floor = floorCounts();
  const page = await context.newPage();
  if (slowdown > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
  }
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
    // What ran in each frame held up over 50 ms (the Long Animation Frames
    // API): the scripts, by who called them, so a long task is put down to
    // the view or stage that made it.
    window.longFrames = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.blockingDuration <= 0) continue;
        const scripts = e.scripts
          .filter((x) => x.duration >= 5)
          .map((x) =>
            `${x.invoker} ${x.sourceFunctionName || ''} ${(x.sourceURL || '').split('/').pop()}:${x.sourceCharPosition} ${Math.round(x.duration)} ms`.replace(
              / +/g,
              ' ',
            ),
          );
        window.longFrames.push(`${Math.round(e.duration)} ms: ${scripts.join('; ') || 'no script over 5 ms (rendering)'}`);
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  });
  await page.goto(`${url}lab/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  // The starter model's evaluation on arrival: let it finish first.
  await page.waitForFunction(() => !window.aelab.training.runner.running, null, { timeout: 60_000 });
  await page.evaluate(() => {
    // Every engine step, timed and put down to the phase it worked in (the
    // phase the previous step left the run in).
    const t = { phases: {}, worst: {}, steps: 0, frames: 0, between: 0 };
    window.stepTimes = t;
    const lab = window.aelab.ctx.lab;
    const step = lab.step.bind(lab);
    let phase = 'prepare';
    let lastEnd = 0;
    lab.step = (batches, ms) => {
      const t0 = performance.now();
      // From one run's last step to the next run's first: the views'
      // refreshes after a run and the start of the next.
      if (phase === 'done' || phase === 'failed') {
        t.between += t0 - lastEnd;
        phase = 'prepare'; // a new run's first step
      }
      const p = step(batches, ms);
      lastEnd = performance.now();
      const dt = lastEnd - t0;
      t.phases[phase] = (t.phases[phase] ?? 0) + dt;
      t.steps += 1;
      t.worst[phase] = Math.max(t.worst[phase] ?? 0, dt);
      phase = p.phase;
      return p;
    };
    // The frames the page can draw meanwhile: smooth is about 60 a second.
    // Asking for every frame makes the page draw 60 a second where it
    // would draw a few (its views redraw only on change): that alone cost
    // Run all 1.6–1.8 s of 48–51. So the count runs one second in ten.
    const frame = (now) => {
      t.frames += 1;
      if (now < t.windowEnd) requestAnimationFrame(frame);
      else t.counted += now - t.windowStart;
    };
    const openWindow = () => {
      t.windowStart = performance.now();
      t.windowEnd = t.windowStart + 1000;
      requestAnimationFrame(frame);
    };
    Object.assign(t, { counted: 0, windowStart: 0, windowEnd: 0 });
    openWindow();
    t.interval = setInterval(openWindow, 10_000);
    window.longTasks = [];
    window.longFrames = [];
  });
  await page.selectOption('[data-testid="preset-select"]', 'best');
  await page.selectOption('[data-testid="run-seeds"]', '1');
  const seconds = await runAll(page, 20 * 60_000);
  const rows = await page.$$eval('[data-testid="result-row"]', (rs) =>
    rs.map((r) => ({ model: r.dataset.model, time: r.querySelector('[data-testid="result-time"]').textContent })),
  );
  const steps = await page.evaluate(() => {
    const t = window.stepTimes;
    clearInterval(t.interval);
    // A window still open counts up to now.
    const now = performance.now();
    if (now < t.windowEnd) t.counted += now - t.windowStart;
    return t;
  });
  const longTasks = await page.evaluate(() => window.longTasks);
  const longFrames = await page.evaluate(() => window.longFrames);
  await page.close();
  const byStage = {};
  for (const r of floor.runs) for (const [s, f] of Object.entries(r.stages)) byStage[s] = (byStage[s] ?? 0) + f;
  return {
    seconds,
    rows,
    flops: floor.flops,
    w2_gflops: w2Gflops,
    kernel_gflops: kernelGflops,
    floor_s: floor.flops / (w2Gflops * 1e9),
    flops_by_stage: byStage,
    engine_s_by_phase: Object.fromEntries(Object.entries(steps.phases).map(([k, v]) => [k, v / 1000])),
    engine_s: Object.values(steps.phases).reduce((a, b) => a + b, 0) / 1000,
    steps: steps.steps,
    worst_step_ms: Math.max(0, ...Object.values(steps.worst)),
    worst_step_ms_by_phase: steps.worst,
    frames_per_s: steps.frames / (steps.counted / 1000),
    between_runs_s: steps.between / 1000,
    // A long task is one over 50 ms, by the API's definition.
    long_tasks: longTasks.length,
    worst_long_task_ms: Math.max(0, ...longTasks),
    long_frames: longFrames,
  };
}

/** Prints the figures `measureRunAll` returned, with the floor's breakdown. */
export function reportRunAll(r) {
  // The evaluation stages share the page's phase "evaluate".
  const phaseOf = { classify: 'evaluate', reconstruct: 'evaluate', index: 'evaluate', queries: 'evaluate' };
  const floorByPhase = {};
  for (const [s, f] of Object.entries(r.flops_by_stage)) {
    const p = phaseOf[s] ?? s;
    floorByPhase[p] = (floorByPhase[p] ?? 0) + f;
  }
  console.log(
    `\nRun all (best, one seed): ${r.seconds.toFixed(1)} s; floor ${r.floor_s.toFixed(1)} s ` +
      `(${(r.flops / 1e12).toFixed(3)} TFLOP at the W2 step's ${r.w2_gflops.toFixed(1)} GFLOP/s): ` +
      `**${(r.seconds / r.floor_s).toFixed(2)}× the floor**`,
  );
  if (r.after) {
    const mean = (r.w2_gflops + r.after.w2_gflops) / 2;
    const floor = r.flops / (mean * 1e9);
    console.log(
      `W2 step again straight after Run all: ${r.after.w2_gflops.toFixed(1)} GFLOP/s; at the mean of before and after ` +
        `(${mean.toFixed(1)}), the floor is ${floor.toFixed(1)} s: ${(r.seconds / floor).toFixed(2)}×`,
    );
  }
  console.log('\n| phase | GFLOP | floor s | engine s (steps) | engine ÷ floor |');
  console.log('|---|---:|---:|---:|---:|');
  const phases = new Set([...Object.keys(floorByPhase), ...Object.keys(r.engine_s_by_phase)]);
  for (const p of phases) {
    const f = floorByPhase[p] ?? 0;
    const fs = f / (r.w2_gflops * 1e9);
    const e = r.engine_s_by_phase[p] ?? 0;
    console.log(`| ${p} | ${(f / 1e9).toFixed(1)} | ${fs.toFixed(2)} | ${e.toFixed(2)} | ${fs > 0 ? `${(e / fs).toFixed(2)}×` : '–'} |`);
  }
  const outside = r.seconds - r.engine_s;
  console.log(
    `| outside the engine's steps: between runs (the views' refreshes, the next start) | | | ${r.between_runs_s.toFixed(2)} | |\n` +
      `| outside the engine's steps: during runs (frames, progress, live views) | | | ${(outside - r.between_runs_s).toFixed(2)} | |\n| all | ${(r.flops / 1e9).toFixed(1)} | ${r.floor_s.toFixed(2)} | ${r.seconds.toFixed(2)} | ${(r.seconds / r.floor_s).toFixed(2)}× |`,
  );
  console.log(
    `\n${r.steps} engine steps, the longest ${r.worst_step_ms.toFixed(0)} ms (by phase: ${Object.entries(r.worst_step_ms_by_phase)
      .map(([p, ms]) => `${p} ${ms.toFixed(0)}`)
      .join(', ')}); ${r.long_tasks} long tasks (over 50 ms), the worst ${r.worst_long_task_ms.toFixed(0)} ms; ` +
      `${r.frames_per_s.toFixed(1)} frames a second (counted one second in ten); the engine's steps took ${((100 * r.engine_s) / r.seconds).toFixed(0)}% of the wall time`,
  );
  for (const f of r.long_frames ?? []) console.log(`  frame held up ${f}`);
  console.log(`per row (results table): ${r.rows.map((x) => `${x.model.replace('mnist_', '')} ${x.time}`).join(', ')}`);
}
