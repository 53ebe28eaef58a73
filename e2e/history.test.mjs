// The run history: runs are kept across a reload, from their start and
// however they end (interrupted by a reload, stopped when replaced); every
// tab's list follows the others'; two picked runs overlay
// their curves and show the settings that differ; a run reopens (its model
// answers the pad), renames, deletes and exports; past the storage bound a
// run is refused with a message and nothing kept is lost. Runs kept by the
// first version of the store (models inside the run records) survive the
// upgrade that moves the models to a store of their own.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ARTIFACTS, drawOn, ONE, openBrowser, openLab, shape } from './browser.mjs';

async function trainQuick(page, lr) {
  await page.selectOption('[data-testid="model-select"]', 'mnist_mlp_all');
  await page.locator('#settings-box').evaluate((d) => {
    d.open = true;
  });
  await page.fill('[data-testid="setting-sup_epochs"]', '2');
  await page.fill('[data-testid="setting-lr"]', String(lr));
  const before = await page.$$eval('[data-testid="run-row"]', (r) => r.length);
  await page.click('[data-testid="start"]');
  // Kept from its start, as running; then finished.
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('[data-testid="run-row"]').length === n + 1 &&
      document.querySelector('[data-testid="run-row"]').dataset.status === 'finished',
    before,
    { timeout: 120_000 },
  );
}

/** Starts a long run and waits until the history shows it running. */
async function startLong(page) {
  await page.selectOption('[data-testid="model-select"]', 'mnist_auto_2');
  await page.click('[data-testid="start"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="run-row"]')?.dataset.status === 'running', null, {
    timeout: 30_000,
  });
}

const statuses = (page) => page.$$eval('[data-testid="run-row"]', (rows) => rows.map((r) => r.dataset.status));

test('a run is kept however it ends: reloaded mid-run it is interrupted; replaced by Start, Load or Reopen it is stopped', async () => {
  const lab = await openLab();
  try {
    const { page } = lab;
    await page.waitForFunction(() => !document.querySelector('[data-testid="runs-table"]').textContent.includes('Reading'));
    await startLong(page);
    // A checkpoint of its curves lands within a few seconds.
    const checkpointed = () =>
      page.evaluate(async () => {
        const [run] = await window.aelab.runs.history.all();
        return run.points[0].length;
      });
    for (let t = 0; t < 100 && !(await checkpointed()); t++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(await checkpointed(), 'a checkpoint within 10 s');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="run-row"]')?.dataset.status === 'interrupted');
    const kept = await page.evaluate(() => window.aelab.runs.runs[0]);
    assert.equal(kept.name, 'mnist_auto_2 (best)');
    assert.ok(kept.points[0].length > 0, 'its curves up to the last checkpoint are kept');
    // Start over a running run: the replaced run is kept, as stopped.
    await startLong(page);
    await page.selectOption('[data-testid="model-select"]', 'mnist_mlp_all');
    await page.click('[data-testid="start"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 3);
    await page.waitForFunction(() => document.querySelector('[data-testid="run-row"]').dataset.status === 'finished', null, {
      timeout: 60_000,
    });
    assert.deepEqual(await statuses(page), ['finished', 'stopped', 'interrupted']);
    // Load a model file over a running run: the replaced run is kept, stopped.
    await startLong(page);
    await page.setInputFiles('[data-testid="load-model"]', new URL('../www/data/starter.aelab', import.meta.url).pathname);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]')[0].dataset.status === 'stopped');
    // Reopen a kept run over a running run: the same.
    await startLong(page);
    await page.locator('[data-testid="run-row"][data-status="finished"] [data-testid="run-open"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').textContent.includes('reopened'), null, {
      timeout: 30_000,
    });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]')[0].dataset.status === 'stopped');
    assert.deepEqual(await statuses(page), ['stopped', 'stopped', 'finished', 'stopped', 'interrupted']);
    await page.locator('#history-view').screenshot({ path: `${ARTIFACTS}run-history-ends.png` });
    assert.deepEqual(lab.errors, []);
  } finally {
    await lab.close();
  }
});

test("two tabs see each other's runs without a reload, and a live tab's run is not interrupted", async () => {
  const lab = await openLab();
  try {
    const a = lab.page;
    await a.waitForFunction(() => !document.querySelector('[data-testid="runs-table"]').textContent.includes('Reading'));
    await startLong(a);
    const b = await lab.context.newPage();
    await b.goto(lab.url);
    await b.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    // Tab b sees tab a's run as running (its tab is alive), then finished.
    await b.waitForFunction(() => document.querySelector('[data-testid="run-row"]')?.dataset.status === 'running');
    await b.waitForFunction(() => document.querySelector('[data-testid="run-row"]')?.dataset.status === 'finished', null, {
      timeout: 120_000,
    });
    assert.deepEqual(await statuses(b), ['finished']);
    await a.waitForFunction(() => document.querySelector('[data-testid="run-row"]')?.dataset.status === 'finished');
    assert.deepEqual(await statuses(a), ['finished']);
    // A run of tab b's shows in tab a's list too; an export from either holds both.
    await trainQuick(b, 0.002);
    await a.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2);
    for (const tab of [a, b]) {
      assert.deepEqual(await statuses(tab), ['finished', 'finished']);
      const download = tab.waitForEvent('download');
      await tab.click('[data-testid="runs-json"]');
      const exported = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
      assert.deepEqual(
        exported.map((r) => [r.name, r.status]),
        [
          ['mnist_auto_2 (best)', 'finished'],
          ['mnist_mlp_all (best)', 'finished'],
        ],
      );
    }
    assert.deepEqual(lab.errors, []);
  } finally {
    await lab.close();
  }
});

test('runs survive a reload, overlay, diff, reopen, rename, delete and export', async () => {
  const lab = await openLab();
  try {
    const { page } = lab;
    // The store answers asynchronously; the starter's evaluation is not a run of this page.
    await page.waitForFunction(() => !document.querySelector('[data-testid="runs-table"]').textContent.includes('Reading'));
    await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').dataset.model === 'starter', null, {
      timeout: 30_000,
    });
    assert.match(await page.textContent('[data-testid="runs-table"]'), /No runs yet/, 'the starter is not a run of this page');
    await trainQuick(page, 0.002);
    await trainQuick(page, 0.02);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2);
    const names = await page.$$eval('[data-testid="run-name"]', (i) => i.map((x) => x.value));
    assert.deepEqual(names, ['mnist_mlp_all (best)', 'mnist_mlp_all (best)']);
    // Both picked: two curves in one chart, and the learning rate differs.
    for (const box of await page.$$('[data-testid="run-pick"]')) await box.check();
    assert.equal(await page.$$eval('#runs-chart .u-legend .u-series', (s) => s.length), 3);
    const diff = await page.textContent('[data-testid="run-diff"]');
    assert.match(diff, /optim\.lr/);
    assert.ok(!/sup_epochs/.test(diff), `an equal setting shows in the diff: ${diff}`);
    await page.locator('#history-view').screenshot({ path: `${ARTIFACTS}run-history.png` });
    // Reopen the older run (the last row): its model answers the pad.
    await page.locator('[data-testid="run-open"]').last().click();
    await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').textContent.includes('reopened'), null, {
      timeout: 30_000,
    });
    assert.equal(await drawOn(page, shape(ONE, 100, 40, 200)), '1');
    // Rename, reload: the name stays. Delete: one run left, exported alone.
    await page.locator('[data-testid="run-name"]').first().fill('fast lr');
    await page.locator('[data-testid="run-name"]').first().dispatchEvent('change');
    await page.waitForFunction(() => document.querySelector('[data-testid="run-name"]').value === 'fast lr');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="run-name"]')?.value === 'fast lr');
    await page.locator('[data-testid="run-delete"]').last().click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 1);
    const download = page.waitForEvent('download');
    await page.click('[data-testid="runs-json"]');
    const exported = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
    assert.equal(exported.length, 1);
    assert.equal(exported[0].name, 'fast lr');
    assert.equal(exported[0].config.optim.lr.toFixed(3), '0.020');
    const csv = page.waitForEvent('download');
    await page.click('[data-testid="runs-csv"]');
    const lines = readFileSync(await (await csv).path(), 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1], /"fast lr"/);
    // Past the bound: refused with a message, the kept run untouched.
    await page.evaluate(() =>
      window.aelab.runs.add({ name: 'huge', data: 'mnist', model: new Uint8Array(101 * 1024 * 1024), at: Date.now() }),
    );
    assert.match(await page.textContent('[data-testid="runs-note"]'), /not kept: the history is full/);
    assert.equal(await page.$$eval('[data-testid="run-row"]', (r) => r.length), 1);
    assert.deepEqual(lab.errors, []);
  } finally {
    await lab.close();
  }
});

test('runs kept by the version-1 store survive the upgrade to version 2', async () => {
  const lab = await openBrowser();
  try {
    const { page, url } = lab;
    // A page of the lab's origin that does not open the store: write two
    // runs as version 1 did, one with the starter's model file, one failed
    // run with none.
    await page.goto(`${url}data/bars-mnist.json`);
    const size = await page.evaluate(async () => {
      const model = new Uint8Array(await (await fetch('/data/starter.aelab')).arrayBuffer());
      const db = await new Promise((resolve, reject) => {
        const req = indexedDB.open('aelab', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('runs', { keyPath: 'id', autoIncrement: true });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const run = (name, status, m) => ({
        name,
        data: 'mnist',
        seed: 1,
        config: { name, optim: { lr: 0.01 } },
        results: { test_accuracy: 0.9 },
        status,
        points: [
          [0, 50, 100],
          [1, 0.5, 0.25],
        ],
        log: 'kept by version 1',
        model: m,
        at: Date.now(),
      });
      await new Promise((resolve, reject) => {
        const tx = db.transaction('runs', 'readwrite');
        tx.objectStore('runs').add(run('kept with its model', 'finished', model));
        tx.objectStore('runs').add(run('kept without one', 'failed', null));
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
      return model.byteLength;
    });
    // That page is not the lab's, and the browser asks for its icon there
    // (a 404); what counts is what the lab says from here on.
    lab.errors.length = 0;
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2);
    const names = await page.$$eval('[data-testid="run-name"]', (i) => i.map((x) => x.value));
    assert.deepEqual(names, ['kept without one', 'kept with its model']);
    const disabled = await page.$$eval('[data-testid="run-open"]', (b) => b.map((x) => x.disabled));
    assert.deepEqual(disabled, [true, false], 'only the run with a model can be reopened');
    // The store is at version 2: records without models, each model's size
    // in `bytes`, the model under its run's id in `models`.
    const stored = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const req = indexedDB.open('aelab');
          req.onsuccess = () => {
            const db = req.result;
            const tx = db.transaction(['runs', 'models']);
            const runs = tx.objectStore('runs').getAll();
            const keys = tx.objectStore('models').getAllKeys();
            const model = tx.objectStore('models').get(1);
            tx.oncomplete = () => {
              resolve({
                version: db.version,
                runs: runs.result.map((r) => ({ id: r.id, bytes: r.bytes, model: 'model' in r, log: r.log })),
                keys: keys.result,
                model: model.result?.byteLength,
              });
              db.close();
            };
            tx.onerror = () => reject(tx.error);
          };
          req.onerror = () => reject(req.error);
        }),
    );
    assert.deepEqual(stored, {
      version: 2,
      runs: [
        { id: 1, bytes: size, model: false, log: 'kept by version 1' },
        { id: 2, bytes: 0, model: false, log: 'kept by version 1' },
      ],
      keys: [1],
      model: size,
    });
    // The moved model is the one that answers once the run is reopened.
    await page.locator('[data-testid="run-open"]').last().click();
    await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').textContent.includes('reopened'), null, {
      timeout: 30_000,
    });
    assert.equal(await drawOn(page, shape(ONE, 100, 40, 200)), '1');
    // Deleting a run deletes its model with it.
    await page.locator('[data-testid="run-delete"]').last().click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 1);
    const keys = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const req = indexedDB.open('aelab');
          req.onsuccess = () => {
            const get = req.result.transaction('models').objectStore('models').getAllKeys();
            get.onsuccess = () => {
              resolve(get.result);
              req.result.close();
            };
          };
        }),
    );
    assert.deepEqual(keys, []);
    assert.deepEqual(lab.errors, []);
  } finally {
    await lab.close();
  }
});
