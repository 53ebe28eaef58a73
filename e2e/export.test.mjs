// Exports other runtimes load: the TF.js Layers files the page writes are
// loaded by TensorFlow.js itself (tf.loadLayersModel, CPU backend, here in
// Node) and must give the engine's class probabilities and reconstructions
// for the same inputs, within 1e-4.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { openLab } from './browser.mjs';

const TOL = 1e-4;

test('the TF.js export of the starter model loads in TF.js and answers as the engine does', async () => {
  const lab = await openLab();
  try {
    const { page } = lab;
    await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').dataset.model === 'starter', null, {
      timeout: 30_000,
    });
    const files = {};
    page.on('download', async (d) => {
      files[d.suggestedFilename()] = readFileSync(await d.path());
    });
    await page.click('[data-testid="export-tfjs"]');
    await page.waitForFunction(() => true);
    for (let i = 0; i < 50 && Object.keys(files).length < 4; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(Object.keys(files).sort(), [
      'starter-autoencoder.json',
      'starter-autoencoder.weights.bin',
      'starter-classifier.json',
      'starter-classifier.weights.bin',
    ]);
    // The engine's answers for 8 test digits: the inputs it saw, its probabilities and reconstructions.
    const want = await page.evaluate(() =>
      Array.from({ length: 8 }, (_, i) => {
        const img = Float32Array.from(window.aelab.lab.testDigit(i), (v) => v / 255);
        const a = window.aelab.lab.analyse(img, 0, 1);
        return { input: a.input, probs: a.probs, recon: a.reconstruction };
      }),
    );
    await tf.setBackend('cpu');
    const load = (base) => {
      const json = JSON.parse(files[`${base}.json`].toString('utf8'));
      const bin = files[`${base}.weights.bin`];
      return tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest[0].weights,
          weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
        }),
      );
    };
    const x = tf.tensor2d(want.map((w) => w.input));
    const worst = (got, key) => Math.max(...got.flatMap((row, i) => row.map((v, j) => Math.abs(v - want[i][key][j]))));
    const probs = (await load('starter-classifier')).predict(x).arraySync();
    const recon = (await load('starter-autoencoder')).predict(x).arraySync();
    const [dp, dr] = [worst(probs, 'probs'), worst(recon, 'recon')];
    console.log(
      `# TF.js vs aelab, 8 test digits: probabilities differ by at most ${dp.toExponential(2)}, reconstructions by ${dr.toExponential(2)}`,
    );
    assert.ok(dp < TOL, `probabilities differ by ${dp}`);
    assert.ok(dr < TOL, `reconstructions differ by ${dr}`);
    assert.deepEqual(
      probs.map((p) => p.indexOf(Math.max(...p))),
      want.map((w) => w.probs.indexOf(Math.max(...w.probs))),
    );
  } finally {
    await lab.close();
  }
});
