// Data sets in the page: Fashion-MNIST built in, a person's own IDX files
// (raw and .gz, real files) loaded, and damaged or oversized ones each
// refused with a message next to the picker while the current data and
// model stay; a gzip bomb is refused without inflating it.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ARTIFACTS, offOrigin, openLab } from './browser.mjs';

const IDX = `${ARTIFACTS}idx/`;
mkdirSync(IDX, { recursive: true });
const FASHION = process.env.AELAB_FASHION_DIR ?? '/usr/share/datasets/fashion-mnist';
let lab;
let page;

before(async () => {
  lab = await openLab();
  page = lab.page;
});
after(async () => {
  await lab?.close();
});

const count = () => page.evaluate(() => window.aelab.lab.count());

/** IDX files of `n` blank 28×28 images and their labels (0..9 in turn). */
function idxImages(n) {
  const b = Buffer.alloc(16 + n * 784);
  b.writeUInt32BE(0x803, 0);
  b.writeUInt32BE(n, 4);
  b.writeUInt32BE(28, 8);
  b.writeUInt32BE(28, 12);
  return b;
}
function idxLabels(n) {
  const b = Buffer.alloc(8 + n);
  b.writeUInt32BE(0x801, 0);
  b.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i++) b[8 + i] = i % 10;
  return b;
}
const gridSum = () =>
  page.$eval('[data-testid="digit-grid"]', (c) =>
    c
      .getContext('2d')
      .getImageData(0, 0, c.width, c.height)
      .data.reduce((s, v) => s + v, 0),
  );
const modelBytes = () => page.evaluate(() => Array.from(window.aelab.lab.saveModel()));

async function train(model) {
  await page.selectOption('[data-testid="model-select"]', model);
  await page.click('[data-testid="start"]');
  // Start clears the figure to '…' at once; the run's own figure replaces it.
  await page.waitForFunction(() => /%$/.test(document.querySelector('[data-testid="test-accuracy"]').textContent), null, {
    timeout: 120_000,
  });
}

/** The trivial bar beside a row of the results table: its text and value. */
const bar = (model) =>
  page.$eval(`[data-testid="result-row"][data-model="${model}"] [data-testid="result-bar"]`, (c) => [
    c.textContent,
    Number(c.dataset.value),
  ]);

test('Fashion-MNIST is built in: picking it shows garments, trains, and the pad says it is not a digit model', async () => {
  const mnistGrid = await gridSum();
  // The engine's trivial bars for the loaded data, beside each row.
  await page.waitForFunction(() => document.querySelector('[data-testid="result-bar"]')?.dataset.value);
  const [mnistText, mnistBar] = await bar('mnist_mlp_1p');
  assert.match(mnistText, /^softmax reg\. \d+\.\d%, 1-NN \d+\.\d%, PCA-10 \+ reg\. \d+\.\d%$/);
  assert.ok(mnistBar > 0.5 && mnistBar < 1, `MNIST 1% bar ${mnistBar}`);
  assert.ok((await bar('mnist_mlp_all'))[1] > mnistBar, 'all labels give a higher bar than 1%');
  assert.match((await bar('mnist_hash_2'))[0], /^PCA-10 MSE 0\.\d{4}$/);
  // The best recipe deskews digits only; an edit of the settings survives the switch.
  assert.equal(await page.isChecked('[data-testid="setting-deskew"]'), true, 'best deskews digits');
  // (The settings sit in a closed <details>: set the field as typing would.)
  await page.$eval('[data-testid="setting-batch"]', (el) => {
    el.value = '64';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.selectOption('[data-testid="dataset-select"]', 'fashion');
  await page.waitForSelector('body[data-dataset="fashion"]');
  assert.equal(await page.isChecked('[data-testid="setting-deskew"]'), false, 'best does not deskew garments');
  assert.equal(await page.inputValue('[data-testid="setting-batch"]'), '64', 'the edit is kept');
  assert.match(await page.textContent('[data-testid="data-note"]'), /Fashion-MNIST: 10,000 images.*Ankle boot/);
  assert.notEqual(await gridSum(), mnistGrid, 'the grid shows the new images');
  assert.match(await page.textContent('#model-desc'), /on MNIST: not comparable with this data set/);
  await page.waitForFunction(
    (v) => Number(document.querySelector('[data-model="mnist_mlp_1p"] [data-testid="result-bar"]').dataset.value) !== v,
    mnistBar,
  );
  assert.notEqual((await bar('mnist_mlp_1p'))[0], mnistText, 'the bars follow the loaded data set');
  await train('mnist_mlp_all');
  const acc = Number.parseFloat(await page.textContent('[data-testid="test-accuracy"]'));
  assert.ok(acc > 78, `Fashion-MNIST mlp_all ${acc}%`);
  const row = page.locator('[data-testid="result-row"][data-model="mnist_mlp_all"] [data-testid="result-preset"]');
  assert.equal(await row.textContent(), 'best · Fashion-MNIST');
  // A stroke on the pad: the answer is a garment class, and the page says why.
  const pad = page.locator('[data-testid="draw-pad"]');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + 140, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + 140, box.y + 240, { steps: 8 });
  await page.mouse.up();
  const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  assert.ok(names.includes((await page.textContent('[data-testid="prediction"]')).trim()));
  assert.match(await page.textContent('[data-testid="pad-note"]'), /learned Fashion-MNIST, not digits/);
  await page.locator('#train').screenshot({ path: `${ARTIFACTS}fashion.png` });
  await page.locator('#data').screenshot({ path: `${ARTIFACTS}fashion-grid.png` });
});

test("one's own IDX files load, raw or .gz, in either order", async () => {
  const builtIn = await gridSum();
  const images = gunzipSync(readFileSync(`${FASHION}/t10k-images-idx3-ubyte.gz`));
  writeFileSync(`${IDX}t10k-images-idx3-ubyte`, images);
  writeFileSync(`${IDX}t10k-labels-idx1-ubyte.gz`, readFileSync(`${FASHION}/t10k-labels-idx1-ubyte.gz`));
  await page.setInputFiles('[data-testid="data-files"]', [`${IDX}t10k-labels-idx1-ubyte.gz`, `${IDX}t10k-images-idx3-ubyte`]);
  await page.waitForSelector('body[data-dataset="own"]');
  assert.equal(await count(), 10_000);
  assert.match(await page.textContent('[data-testid="data-note"]'), /your own IDX files: 10,000 images/);
  assert.notEqual(await gridSum(), builtIn, 'the grid shows the uploaded images');
  await train('mnist_mlp_all');
  const acc = Number.parseFloat(await page.textContent('[data-testid="test-accuracy"]'));
  assert.ok(acc > 75, `own data mlp_all ${acc}%`);
});

test('damaged IDX files are refused with a message; the current data and model stay', async () => {
  const images = readFileSync(`${IDX}t10k-images-idx3-ubyte`);
  const labels = gunzipSync(readFileSync(`${IDX}t10k-labels-idx1-ubyte.gz`));
  const write = (name, bytes) => {
    writeFileSync(`${IDX}${name}`, bytes);
    return `${IDX}${name}`;
  };
  const badMagic = Buffer.from(images);
  badMagic[2] = 0x0d;
  const badDims = Buffer.from(images);
  badDims.writeUInt32BE(27, 8);
  const badLabel = Buffer.from(labels);
  badLabel[8 + 17] = 12;
  const fewer = Buffer.from(labels.subarray(0, labels.length - 1));
  fewer.writeUInt32BE(9999, 4);
  const cases = [
    [[write('magic-images', badMagic), write('labels', labels)], /unsigned bytes|IDX/],
    [[write('dims-images', badDims), write('labels', labels)], /dimensions|28, 28|truncated/],
    [[write('images', images), write('label-12', badLabel)], /label 12/],
    [[write('images', images), write('fewer-labels', fewer)], /10000 images/],
    [[write('truncated-images.gz', gzipSync(images).subarray(0, 5000)), write('labels', labels)], /gzip data is damaged or cut short/],
    // 60,000 images inflate past what the page takes: refused before the engine sees them.
    [[`${FASHION}/train-images-idx3-ubyte.gz`, `${FASHION}/train-labels-idx1-ubyte.gz`], /train-images-idx3-ubyte\.gz: too large/],
    // One image past the most the page takes: the bound is exact.
    [[write('20001-images', idxImages(20_001)), write('20001-labels', idxLabels(20_001))], /20001-images: too large/],
    [[write('images', images)], /two files/],
  ];
  const beforeCount = await count();
  const beforeModel = await modelBytes();
  const beforeGrid = await gridSum();
  for (const [files, want] of cases) {
    await page.evaluate(() => {
      document.querySelector('[data-testid="data-error"]').textContent = '';
    });
    await page.setInputFiles('[data-testid="data-files"]', files);
    await page.waitForFunction(() => document.querySelector('[data-testid="data-error"]').textContent !== '', null, { timeout: 30_000 });
    const msg = await page.textContent('[data-testid="data-error"]');
    console.log(`# refused: ${msg}`);
    assert.match(msg, want, `${files.join(' + ')}: ${msg}`);
    assert.equal(await count(), beforeCount, msg);
    assert.equal(await gridSum(), beforeGrid, msg);
    assert.deepEqual(await modelBytes(), beforeModel, msg);
  }
  await page.locator('#train').screenshot({ path: `${ARTIFACTS}data-refused.png` });
  // And back to MNIST.
  await page.selectOption('[data-testid="dataset-select"]', 'mnist');
  await page.waitForSelector('body[data-dataset="mnist"]');
  assert.equal(await count(), 10_000);
});

test('a gzip bomb (1 MB inflating to 1 GB) and a 100 MB raw file are refused as too large at once, the engine memory untouched', async () => {
  const labels = `${IDX}t10k-labels-idx1-ubyte.gz`;
  const bomb = `${IDX}bomb-images.gz`;
  writeFileSync(bomb, gzipSync(Buffer.alloc(2 ** 30), { level: 9 }));
  const raw = Buffer.alloc(100e6);
  raw.set([0, 0, 8, 3], 0);
  const huge = `${IDX}100mb-images`;
  writeFileSync(huge, raw);
  const before = await page.evaluate(() => ({ wasm: window.aelab.memory.buffer.byteLength, count: window.aelab.lab.count() }));
  for (const [file, name] of [
    [bomb, 'bomb-images.gz'],
    [huge, '100mb-images'],
  ]) {
    await page.evaluate(() => {
      document.querySelector('[data-testid="data-error"]').textContent = '';
    });
    const t0 = Date.now();
    await page.setInputFiles('[data-testid="data-files"]', [file, labels]);
    await page.waitForFunction(() => document.querySelector('[data-testid="data-error"]').textContent !== '', null, { timeout: 30_000 });
    const seconds = (Date.now() - t0) / 1000;
    const msg = await page.textContent('[data-testid="data-error"]');
    const after = await page.evaluate(() => ({ wasm: window.aelab.memory.buffer.byteLength, count: window.aelab.lab.count() }));
    console.log(
      `# ${name}: refused in ${seconds.toFixed(1)} s: ${msg}; wasm memory ${before.wasm / 2 ** 20} → ${after.wasm / 2 ** 20} MiB`,
    );
    assert.match(msg, new RegExp(`${name.replace('.', '\\.')}: too large`));
    assert.ok(seconds < 10, `${name} took ${seconds} s to refuse`);
    assert.deepEqual(after, before, `${name}: the engine's memory and data are as they were`);
  }
});

test('no console errors and no request off the page origin', () => {
  assert.deepEqual(lab.errors, []);
  assert.deepEqual(offOrigin(lab), []);
});
