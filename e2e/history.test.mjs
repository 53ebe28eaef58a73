// The run history: runs are kept across a reload; two picked runs overlay
// their curves and show the settings that differ; a run reopens (its model
// answers the pad), renames, deletes and exports; past the storage bound a
// run is refused with a message and nothing kept is lost.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ARTIFACTS, drawOn, ONE, openLab, shape } from './browser.mjs';

async function trainQuick(page, lr) {
  await page.selectOption('[data-testid="model-select"]', 'mnist_mlp_all');
  await page.locator('#settings-box').evaluate((d) => {
    d.open = true;
  });
  await page.fill('[data-testid="setting-sup_epochs"]', '2');
  await page.fill('[data-testid="setting-lr"]', String(lr));
  const before = await page.$$eval('[data-testid="run-row"]', (r) => r.length);
  await page.click('[data-testid="start"]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="run-row"]').length === n + 1, before, { timeout: 120_000 });
}

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
