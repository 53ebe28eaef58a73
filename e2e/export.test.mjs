// Exports other runtimes load: the TF.js Layers files the page writes are
// loaded by TensorFlow.js itself (tf.loadLayersModel, CPU backend, here in
// Node), the ONNX files by ONNX Runtime (PyPI, in target/onnx-venv, which
// scripts/setup.sh --test installs); both must give the engine's class
// probabilities, codes and reconstructions for the same inputs, within 1e-4.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { openLab } from './browser.mjs';

const TOL = 1e-4;
const PYTHON = new URL('../target/onnx-venv/bin/python', import.meta.url).pathname;

/** Files the page downloads after clicking `button`, by name. */
async function downloads(page, button, count) {
  const files = {};
  const got = (d) =>
    d.path().then((p) => {
      files[d.suggestedFilename()] = readFileSync(p);
    });
  const pending = [];
  const on = (d) => pending.push(got(d));
  page.on('download', on);
  await page.click(button);
  for (let i = 0; i < 100 && pending.length < count; i++) await new Promise((r) => setTimeout(r, 50));
  await Promise.all(pending);
  page.off('download', on);
  return files;
}

/** The engine's answers for 8 test digits: the inputs it saw, probabilities, codes, reconstructions. */
function engineAnswers(page) {
  return page.evaluate(() =>
    Array.from({ length: 8 }, (_, i) => {
      const img = Float32Array.from(window.aelab.lab.testDigit(i), (v) => v / 255);
      const a = window.aelab.lab.analyse(img, 0, 1);
      return { input: a.input, probs: a.probs, code: Array.from(window.aelab.lab.encode(img)), recon: a.reconstruction };
    }),
  );
}

// One lab for both exports: the starter model, evaluated.
let lab;
let page;
before(async () => {
  lab = await openLab();
  page = lab.page;
  await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').dataset.model === 'starter', null, {
    timeout: 30_000,
  });
});
after(async () => {
  await lab?.close();
});

const worstDiff = (got, want, key) => Math.max(...got.flatMap((row, i) => row.map((v, j) => Math.abs(v - want[i][key][j]))));

test('the TF.js export of the starter model loads in TF.js and answers as the engine does', async () => {
  const files = await downloads(page, '[data-testid="export-tfjs"]', 4);
  assert.deepEqual(Object.keys(files).sort(), [
    'starter-autoencoder.json',
    'starter-autoencoder.weights.bin',
    'starter-classifier.json',
    'starter-classifier.weights.bin',
  ]);
  const want = await engineAnswers(page);
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
  const worst = (got, key) => worstDiff(got, want, key);
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
});

test('the ONNX export (encoder, decoder, classifier) runs in ONNX Runtime and answers as the engine does', async () => {
  const files = await downloads(page, '[data-testid="export-onnx"]', 3);
  assert.deepEqual(Object.keys(files).sort(), ['starter-classifier.onnx', 'starter-decoder.onnx', 'starter-encoder.onnx']);
  const want = await engineAnswers(page);
  const dir = mkdtempSync(join(tmpdir(), 'aelab-onnx-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  const x = want.map((w) => w.input);
  const job = {
    runs: [
      { model: join(dir, 'starter-encoder.onnx'), x },
      { model: join(dir, 'starter-decoder.onnx'), x: want.map((w) => w.code) },
      { model: join(dir, 'starter-classifier.onnx'), x },
    ],
  };
  const out = JSON.parse(
    execFileSync(PYTHON, [new URL('../tools/check_onnx.py', import.meta.url).pathname], { input: JSON.stringify(job) }).toString(),
  );
  const [codes, recon, probs] = out.outputs;
  const [dc, dr, dp] = [worstDiff(codes, want, 'code'), worstDiff(recon, want, 'recon'), worstDiff(probs, want, 'probs')];
  console.log(
    `# ONNX Runtime ${out.version} vs aelab, 8 test digits: codes differ by at most ${dc.toExponential(2)}, reconstructions ${dr.toExponential(2)}, probabilities ${dp.toExponential(2)}`,
  );
  assert.ok(dc < TOL && dr < TOL && dp < TOL, `codes ${dc}, reconstructions ${dr}, probabilities ${dp}`);
});
