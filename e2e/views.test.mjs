// Every view of the lab exercised for real in headless Chromium: runs with
// moving curves and a growing log, reconstructions whose error falls, the
// code map, hash buckets, the drawing pad, save/load, a hidden tab, and
// "Run all" against the page-protocol targets. Screenshots go to
// e2e/artifacts/ for a person to look at.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { drawOn, litPixels, ONE, openLab, runAll, SEVEN, shape, ZERO } from './browser.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });
let lab;
let page;

before(async () => {
  lab = await openLab();
  page = lab.page;
  // Long tasks on the main thread, from the start.
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
});
after(async () => {
  await lab?.close();
});

async function train(model, preset = 'best') {
  await page.selectOption('[data-testid="model-select"]', model);
  await page.selectOption('[data-testid="preset-select"]', preset);
  await page.click('[data-testid="start"]');
  await page.waitForFunction(
    (m) =>
      document.querySelector('[data-testid="log"]').textContent.includes(`Model ${m} `) &&
      document.querySelector('[data-testid="progress"]').value === 1,
    model,
    { timeout: 180_000 },
  );
}

const draw = (/** @type {any} */ strokes) => drawOn(page, strokes);

test('an empty pad, or a single tap, asks for a digit instead of predicting', async () => {
  assert.equal(await draw([]), 'draw a digit');
  assert.equal(await draw([[[140, 140]]]), 'draw a digit');
});

test('an autoencoder run: curves move, the log grows, reconstructions improve, the code map draws', async () => {
  await page.selectOption('[data-testid="model-select"]', 'mnist_auto_1');
  await page.click('[data-testid="start"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="recon-mse"]').dataset.mse, null, { timeout: 60_000 });
  const firstMse = Number(await page.$eval('[data-testid="recon-mse"]', (e) => e.dataset.mse));
  const firstLog = (await page.textContent('[data-testid="log"]')).length;
  await page.waitForFunction(() => document.querySelector('[data-testid="progress"]').value === 1, null, { timeout: 120_000 });
  const lastMse = Number(await page.$eval('[data-testid="recon-mse"]', (e) => e.dataset.mse));
  assert.ok(lastMse < firstMse * 0.8, `reconstruction MSE went from ${firstMse} to ${lastMse}`);
  assert.ok((await page.textContent('[data-testid="log"]')).length > firstLog);
  const chartPoints = await page.evaluate(() => window.aelab.training.points[1].length);
  assert.ok(chartPoints > 5, `${chartPoints} points on the cost curve`);
  const reconInk = await litPixels(page, '[data-testid="recon-canvas"]', 64, 56);
  assert.ok(
    reconInk.slice(10).every((n) => n > 50),
    `reconstruction cells: ${reconInk.slice(10)}`,
  );
  const mapInk = await page.$eval('[data-testid="codemap"]', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) n++;
    return n;
  });
  assert.ok(mapInk > 500, `code map: ${mapInk} coloured pixels`);
  await page.locator('#recon-view').screenshot({ path: `${ARTIFACTS}reconstructions.png` });
  await page.locator('#codemap-view').screenshot({ path: `${ARTIFACTS}codemap.png` });
});

test('drawn digits, large, small and off-centre, are classified after training', async () => {
  await train('mnist_mlp_all');
  const cases = [
    ['1', ONE, 110, 40, 200],
    ['1', ONE, 200, 10, 120],
    ['1', ONE, 20, 150, 100],
    ['0', ZERO, 40, 30, 210],
    ['0', ZERO, 150, 140, 120],
    ['0', ZERO, 10, 10, 110],
    ['7', SEVEN, 40, 40, 200],
    ['7', SEVEN, 150, 150, 110],
    ['7', SEVEN, 10, 160, 100],
  ];
  const wrong = [];
  for (const [want, strokes, x, y, size] of cases) {
    const got = await draw(shape(strokes, x, y, size));
    if (got !== want) wrong.push(`${want} at (${x},${y}) size ${size} read as ${got}`);
  }
  await page.locator('#draw-view').screenshot({ path: `${ARTIFACTS}drawing.png` });
  assert.deepEqual(wrong, []);
  const inputInk = await litPixels(page, '[data-testid="pad-input"]', 64);
  assert.ok(inputInk[0] > 40, 'the 28×28 image the model sees is shown');
});

test('a model saved to a file loads back with identical predictions; a bad file is refused', async () => {
  const probe = () =>
    page.evaluate(() => {
      const img = new Float32Array(784);
      for (let i = 0; i < 784; i++) img[i] = window.aelab.lab.inputs(Uint32Array.of(3))[i];
      return Array.from(window.aelab.lab.analyse(img, 0, 0).probs);
    });
  const before = await probe();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="save-model"]')]);
  const path = `${ARTIFACTS}model.aelab`;
  await download.saveAs(path);
  await page.click('[data-testid="reset"]');
  await page.setInputFiles('[data-testid="load-model"]', path);
  await page.waitForFunction(() => document.querySelector('[data-testid="progress"]').value === 1, null, { timeout: 30_000 });
  assert.deepEqual(await probe(), before);
  assert.match(await page.textContent('[data-testid="log"]'), /test report: accuracy = 0\.9/);
  // A damaged file: an error next to the controls, the loaded model untouched.
  const bytes = readFileSync(path);
  writeFileSync(`${ARTIFACTS}broken.aelab`, bytes.subarray(0, bytes.length - 100));
  await page.setInputFiles('[data-testid="load-model"]', `${ARTIFACTS}broken.aelab`);
  await page.waitForSelector('[data-testid="error"]:not([hidden])');
  assert.match(await page.textContent('[data-testid="error"]'), /broken\.aelab: model file: .*(truncated|offsets)/);
  assert.deepEqual(await probe(), before);
  // A file whose config declares forty layers of 4,096 units (its tensors
  // kept small): refused from its header by the size budget, nothing built.
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
  const config = JSON.parse(header.__metadata__.config);
  config.encoder = Array.from({ length: 40 }, () => ({ width: 4096, act: 'relu' }));
  header.__metadata__.config = JSON.stringify(config);
  const text = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  writeFileSync(`${ARTIFACTS}huge.aelab`, Buffer.concat([len, text, bytes.subarray(8 + n)]));
  await page.setInputFiles('[data-testid="load-model"]', `${ARTIFACTS}huge.aelab`);
  await page.waitForFunction(() => /huge\.aelab/.test(document.querySelector('[data-testid="error"]').textContent));
  assert.match(await page.textContent('[data-testid="error"]'), /huge\.aelab: model file: .*the budget is 1024 MiB/);
  assert.deepEqual(await probe(), before);
});

test('a refused setting is said next to its control and costs nothing: Save still downloads, the pad still predicts', async () => {
  const modelBytes = () => page.evaluate(() => Array.from(window.aelab.lab.saveModel()));
  const before = await modelBytes();
  await page.evaluate(() => {
    document.getElementById('settings-box').open = true;
  });
  await page.fill('[data-testid="setting-batch"]', '0');
  await page.click('[data-testid="start"]');
  const note = page.locator('[data-testid="setting-batch-error"]');
  await note.waitFor({ state: 'visible' });
  assert.match(await note.textContent(), /batch size 0 is out of range/);
  assert.equal(await page.getAttribute('[data-testid="setting-batch"]', 'aria-invalid'), 'true');
  await page.locator('#train').screenshot({ path: `${ARTIFACTS}refused-setting.png` });
  assert.deepEqual(await modelBytes(), before, 'the refusal changed the model');
  assert.equal(await page.isDisabled('[data-testid="save-model"]'), false);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="save-model"]')]);
  assert.ok((await download.createReadStream()) != null);
  assert.equal(await draw(shape(ONE, 110, 40, 200)), '1');
  // A setting the form itself refuses is placed the same way.
  await page.fill('[data-testid="setting-encoder"]', '64 wobbly');
  await page.click('[data-testid="start"]');
  await page.locator('[data-testid="setting-encoder-error"]').waitFor({ state: 'visible' });
  // Picking the model again restores its settings and clears the notes.
  await page.selectOption('[data-testid="model-select"]', 'mnist_mlp_1p');
  await page.selectOption('[data-testid="model-select"]', 'mnist_mlp_all');
  assert.equal(await note.isVisible(), false);
  // "new seed" draws a seed from the platform's entropy.
  const seed = await page.inputValue('[data-testid="setting-seed"]');
  await page.click('[data-testid="new-seed"]');
  assert.notEqual(await page.inputValue('[data-testid="setting-seed"]'), seed);
});

test('random configs through the page API: refused naming the field with the model bit-identical, or trained to finite figures', async () => {
  const outcome = await page.evaluate(() => {
    const lab = window.aelab.lab;
    let seed = 7;
    const rand = (n) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = (v) => v[rand(v.length)];
    const layers = () =>
      Array.from({ length: 1 + rand(2) }, () => ({
        width: pick([1, 8, 32, 0, 5000, -1, 'ten']),
        act: pick(['relu', 'linear', 'swish', 3]),
      }));
    const fields = {
      encoder: layers,
      head: () => pick([null, layers()]),
      ae_epochs: () => pick([0, 1, 1001, -1, '2']),
      sup_epochs: () => pick([0, 1, 1e9, 1.5]),
      batch: () => pick([1, 32, 0, 9000, null]),
      label_fraction: () => pick([0.01, 1, 0, 2, 'all']),
      optim: () =>
        pick([
          { kind: 'adam', lr: 0.01 },
          { kind: 'adam', lr: 0 },
          { kind: 'adam', lr: Number.NaN },
          { kind: 'rmsprop', lr: 0.1 },
        ]),
      denoise: () => pick([0, 0.3, -1]),
      shift: () => pick([0, 2, 9]),
      propagate: () => pick([true, false, 'yes']),
      bacth: () => 3,
    };
    const names = Object.keys(fields);
    const base = window.aelab.engine.presetConfig('mnist_mlp_all', 'best', true);
    const out = { refused: 0, trained: 0, problems: [] };
    for (let i = 0; i < 40; i++) {
      const name = pick(window.aelab.engine.experiments()).name;
      const c = window.aelab.engine.presetConfig(name, pick(['best', 'faithful']), true);
      c.ae_epochs = Math.min(c.ae_epochs, 1);
      c.sup_epochs = Math.min(c.sup_epochs, 1);
      for (let k = 0; k <= rand(2); k++) {
        const f = pick(names);
        c[f] = fields[f]();
      }
      const before = lab.saveModel();
      try {
        lab.start(c);
      } catch (e) {
        out.refused++;
        const top = String(e.field ?? '').split(/[.[]/)[0];
        if (!(top in c)) out.problems.push(`case ${i}: refused without a field of the config: ${e.message}`);
        const after = lab.saveModel();
        if (after.length !== before.length || after.some((b, j) => b !== before[j]))
          out.problems.push(`case ${i}: the refusal changed the model`);
        continue;
      }
      while (!lab.finished()) lab.step(1e6, 1000);
      const r = lab.results();
      out.trained++;
      for (const v of [r.test_accuracy, r.recon_mse, r.hash?.map])
        if (v != null && !Number.isFinite(v)) out.problems.push(`case ${i}: ${JSON.stringify(r)}`);
    }
    // Back to a trained classifier for the tests that follow.
    lab.start(base);
    while (!lab.finished()) lab.step(1e6, 1000);
    return out;
  });
  assert.deepEqual(outcome.problems, []);
  assert.ok(outcome.refused >= 10 && outcome.trained >= 3, JSON.stringify(outcome));
});

test('a hash model fills its buckets and shows what each query finds', async () => {
  await train('mnist_hash_1');
  const metrics = await page.textContent('[data-testid="hash-metrics"]');
  assert.match(metrics, /10 bits · \d+ buckets used/);
  // Each row: the query (x < 56), a bar, then the training digits found (x ≥ 64).
  const rowInk = () =>
    page.$eval('[data-testid="hash-canvas"]', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const rows = Array.from({ length: 6 }, () => [0, 0]);
      for (let y = 0; y < 336; y++) {
        for (let x = 0; x < c.width; x++) {
          const i = 4 * (y * c.width + x);
          if (d[i] > 64 && d[i + 2] < 200) rows[Math.floor(y / 56)][x < 56 ? 0 : 1] += x < 56 || x >= 64 ? 1 : 0;
        }
      }
      return rows;
    });
  // Radius 0 (the reference's): a query whose bucket holds no training digit
  // finds nothing; most find some.
  const r0 = await rowInk();
  assert.ok(
    r0.every(([q]) => q > 50),
    `every query drawn: ${JSON.stringify(r0)}`,
  );
  assert.ok(r0.filter(([, hits]) => hits > 50).length >= 4, `radius 0 hits: ${JSON.stringify(r0)}`);
  await page.selectOption('[data-testid="radius"]', '2');
  const r2 = await rowInk();
  assert.ok(
    r2.every(([, hits]) => hits > 200),
    `radius 2 finds digits for every query: ${JSON.stringify(r2)}`,
  );
  assert.match(await page.textContent('[data-testid="hash-occupancy"]'), /Largest buckets: [01]{10} \(\d+\)/);
  await page.locator('#hash-view').screenshot({ path: `${ARTIFACTS}hash.png` });
  // The drawing pad looks the drawing up in the index.
  await draw(shape(ZERO, 40, 30, 210));
  assert.match(await page.textContent('[data-testid="pad-code"]'), /key [01]{10}/);
});

test('training runs between frames, not in them: it keeps going with no animation frames, seen or hidden', async () => {
  // The longest run of the table (50 epochs), so it is still going after both waits.
  await page.selectOption('[data-testid="model-select"]', 'mnist_hash_3');
  await page.click('[data-testid="start"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="progress"]').value > 0.02, null, { timeout: 60_000 });
  // Seen, but no frame comes: a scheduler that waits for a frame per slice
  // (which idles the engine for the rest of every frame) stalls here.
  const progress = () => page.$eval('[data-testid="progress"]', (p) => p.value);
  await page.evaluate(() => {
    window.realRaf = window.requestAnimationFrame;
    window.requestAnimationFrame = () => 0;
  });
  const s0 = await progress();
  await page.waitForTimeout(1500);
  const s1 = await progress();
  assert.ok(s1 > s0, `progress ${s0} → ${s1} with the page seen and no frames`);
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const p0 = await progress();
  await page.waitForTimeout(2000);
  const p1 = await progress();
  assert.ok(p1 > p0, `progress ${p0} → ${p1} while hidden`);
  await page.click('[data-testid="reset"]');
  // Back to visible for the rest.
  await page.evaluate(() => {
    delete document.hidden;
    delete document.visibilityState;
    window.requestAnimationFrame = window.realRaf;
  });
});

test('"Run all" runs every reference model and meets the page-protocol targets', async () => {
  await page.evaluate(() => {
    window.longTasks = [];
  });
  await page.selectOption('[data-testid="preset-select"]', 'best');
  const seconds = await runAll(page);
  const rows = await page.$$eval('[data-testid="result-row"]', (rs) =>
    Object.fromEntries(rs.map((r) => [r.dataset.model, Number(r.querySelector('[data-testid="result-measured"]').dataset.value)])),
  );
  const times = await page.$$eval('[data-testid="result-row"]', (rs) =>
    Object.fromEntries(rs.map((r) => [r.dataset.model.replace('mnist_', ''), r.querySelector('[data-testid="result-time"]').textContent])),
  );
  const longTasks = await page.evaluate(() => window.longTasks);
  const heapMb = await page.evaluate(() => window.aelab.memory.buffer.byteLength / 2 ** 20);
  const worst = Math.max(0, ...longTasks);
  console.log(
    `# run all: ${seconds.toFixed(1)} s; results ${JSON.stringify(rows)}; ` +
      `times ${JSON.stringify(times)}; ${longTasks.length} long tasks, the worst ${worst.toFixed(0)} ms; wasm memory ${heapMb.toFixed(0)} MiB`,
  );
  await page.locator('#results-view').screenshot({ path: `${ARTIFACTS}results.png` });
  await page.screenshot({ path: `${ARTIFACTS}page.png`, fullPage: true });
  assert.ok(rows.mnist_mlp_all >= 0.92, `mlp_all ${rows.mnist_mlp_all}`);
  assert.ok(rows.mnist_mlp_1p >= 0.68, `mlp_1p ${rows.mnist_mlp_1p}`);
  assert.ok(rows.mnist_auto_2 >= 0.8, `auto_2 ${rows.mnist_auto_2}`);
  for (const h of ['mnist_hash_1', 'mnist_hash_2', 'mnist_hash_3']) assert.ok(rows[h] >= 0.65, `${h} bucket precision ${rows[h]}`);
  // The bound the page is built to (50 ms) is reported above; this catches an
  // unchunked phase without failing on a busy machine's jitter.
  assert.ok(worst < 200, `a ${worst} ms task froze the page`);
  await page.click('[data-testid="copy-markdown"]');
  assert.match(
    await page.inputValue('[data-testid="markdown"]'),
    /\| mnist_auto_2 \| 79\.6% \| softmax reg\. [^|]+ \| \d+\.\d% \| best \|/,
  );
});

test('a second "Run all", on Fashion-MNIST, does not grow the memory (wasm and JS heap) and stays under the bound', async () => {
  // The same sizes of data, models and graph as the first, on other images.
  await page.selectOption('[data-testid="dataset-select"]', 'fashion');
  await page.waitForSelector('body[data-dataset="fashion"]');
  // Wasm memory never shrinks, so a leak shows as growth on the second run.
  const before = await page.evaluate(() => ({ wasm: window.aelab.memory.buffer.byteLength, js: performance.memory?.usedJSHeapSize ?? 0 }));
  // Clear the first run's figures so the wait below sees the second run's.
  await page.$$eval('[data-testid="result-measured"]', (cells) =>
    cells.forEach((c) => {
      delete c.dataset.value;
    }),
  );
  await page.click('[data-testid="run-all"]');
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-testid="result-measured"]')].every((c) => c.dataset.value) &&
      !window.aelab.training.runner.running,
    null,
    { timeout: 300_000, polling: 500 },
  );
  const after = await page.evaluate(() => ({ wasm: window.aelab.memory.buffer.byteLength, js: performance.memory?.usedJSHeapSize ?? 0 }));
  const mib = (b) => (b / 2 ** 20).toFixed(1);
  console.log(`# memory: wasm ${mib(before.wasm)} → ${mib(after.wasm)} MiB, JS heap ${mib(before.js)} → ${mib(after.js)} MiB`);
  assert.ok(after.wasm <= before.wasm, `wasm memory grew from ${mib(before.wasm)} to ${mib(after.wasm)} MiB on a second Run all`);
  assert.ok(after.wasm <= 128 * 2 ** 20, `wasm memory ${mib(after.wasm)} MiB is over the 128 MiB bound`);
  assert.ok(after.js <= 64 * 2 ** 20, `JS heap ${mib(after.js)} MiB is over the 64 MiB bound`);
  const rows = await page.$$eval('[data-testid="result-row"]', (rs) =>
    Object.fromEntries(
      rs.map((r) => [
        r.dataset.model,
        [
          Number(r.querySelector('[data-testid="result-measured"]').dataset.value),
          r.querySelector('[data-testid="result-preset"]').textContent,
        ],
      ]),
    ),
  );
  console.log(`# run all on Fashion-MNIST: ${JSON.stringify(rows)}`);
  for (const [model, [value, preset]] of Object.entries(rows)) {
    assert.equal(preset, 'best · Fashion-MNIST', model);
    // Far above chance (10%); the CLI's RESULTS.md has the figures beside the trivial bars.
    assert.ok(value > (model.includes('hash') ? 0.4 : model === 'mnist_auto_3' ? 0.3 : 0.6), `${model} on Fashion-MNIST: ${value}`);
  }
  await page.locator('#results-view').screenshot({ path: `${ARTIFACTS}results-fashion.png` });
});

test('no console errors and no request off the page origin in all of it', () => {
  assert.deepEqual(lab.errors, []);
  const foreign = lab.requests.filter((u) => !u.startsWith(lab.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, []);
});
