// The wasm modules the page ships (built by scripts/build.sh, wasm-opt
// included) against the native golden figures: the seeded runs of
// tests/golden/cases.json must land within its tolerances of
// tests/golden/runs.json, as the wasm-bindgen tests check for the module
// cargo builds. Each build is loaded as its own instance of the glue.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { openLab } from './browser.mjs';

const golden = (name) => JSON.parse(readFileSync(new URL(`../tests/golden/${name}`, import.meta.url), 'utf8'));
const cases = golden('cases.json');
const runs = golden('runs.json');
let lab;

before(async () => {
  lab = await openLab();
});
after(async () => {
  await lab?.close();
});

/** Trains every golden config on `build`'s module in the page; returns the figures. */
function runBuild(build) {
  return lab.page.evaluate(
    async ({ build, configs }) => {
      const glue = await import(`/pkg/aelab.js?golden-${build}`);
      await glue.default({ module_or_path: `/pkg/${build}` });
      const bytes = new Uint8Array(await (await fetch('/data/mnist-10k.bin')).arrayBuffer());
      const engine = new glue.Lab(bytes);
      const out = [];
      for (const config of configs) {
        engine.start(config);
        while (!engine.finished()) engine.step(10_000, 10_000);
        const r = engine.results();
        // Σ|w| and Σw over every weight and bias, from the saved model file
        // (safetensors: an 8-byte header length, a JSON header, f32 data).
        const file = engine.saveModel();
        const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
        const headerLen = Number(view.getBigUint64(0, true));
        const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + headerLen)));
        let absSum = 0;
        let sum = 0;
        for (const [name, t] of Object.entries(header)) {
          if (name === '__metadata__') continue;
          const [start, end] = t.data_offsets;
          for (let o = 8 + headerLen + start; o < 8 + headerLen + end; o += 4) {
            const w = view.getFloat32(o, true);
            absSum += Math.abs(w);
            sum += w;
          }
        }
        out.push({ name: config.name, test_accuracy: r.test_accuracy ?? null, recon_mse: r.recon_mse ?? null, abs_sum: absSum, sum });
      }
      engine.free();
      return out;
    },
    { build, configs: cases.configs },
  );
}

for (const build of ['aelab_bg.wasm', 'aelab_relaxed_bg.wasm']) {
  test(`the shipped ${build} reproduces the native golden runs`, async () => {
    const got = await runBuild(build);
    assert.equal(got.length, runs.length);
    for (const [g, w] of got.map((g, i) => [g, runs[i]])) {
      assert.equal(g.name, w.name);
      const rel = Math.abs(g.abs_sum - w.abs_sum) / w.abs_sum;
      assert.ok(rel < cases.rel_tol, `${w.name}: Σ|w| ${g.abs_sum} vs golden ${w.abs_sum}`);
      // Σw is a difference of large sums: compare on the scale of Σ|w|.
      assert.ok(Math.abs(g.sum - w.sum) / w.abs_sum < cases.rel_tol, `${w.name}: Σw ${g.sum} vs golden ${w.sum}`);
      if (w.test_accuracy !== null) {
        assert.ok(
          Math.abs(g.test_accuracy - w.test_accuracy) <= cases.acc_tol,
          `${w.name}: accuracy ${g.test_accuracy} vs golden ${w.test_accuracy}`,
        );
      }
      if (w.recon_mse !== null) {
        assert.ok(
          Math.abs(g.recon_mse - w.recon_mse) / w.recon_mse < cases.rel_tol,
          `${w.name}: MSE ${g.recon_mse} vs golden ${w.recon_mse}`,
        );
      }
      console.log(
        `# ${build} ${w.name}: Σ|w| off by ${(rel * 100).toExponential(1)}%, accuracy ${g.test_accuracy} (golden ${w.test_accuracy})`,
      );
    }
  });
}
