// Offline after the first visit: the service worker caches every file the
// page loads; with the browser context offline the page reloads, its starter
// model answers, and a model trains.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openLab } from './browser.mjs';

test('after one visit, with the network off, the page reloads and trains a model', async () => {
  const lab = await openLab();
  try {
    const { page, context } = lab;
    // The worker has installed (precached everything) and controls the page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys();
      const c = await caches.open(keys.find((k) => k.startsWith('aelab-')));
      let bytes = 0;
      const reqs = await c.keys();
      for (const r of reqs) bytes += (await (await c.match(r)).arrayBuffer()).byteLength;
      return { name: keys.join(','), files: reqs.length, bytes };
    });
    console.log(`# offline cache ${cached.name}: ${cached.files} files, ${(cached.bytes / 1e6).toFixed(1)} MB`);
    assert.ok(cached.files >= 25, `${cached.files} files cached`);
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').dataset.model === 'starter', null, {
      timeout: 30_000,
    });
    await page.selectOption('[data-testid="model-select"]', 'mnist_mlp_all');
    await page.click('[data-testid="start"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').dataset.model === 'mnist_mlp_all', null, {
      timeout: 120_000,
    });
    const acc = await page.textContent('[data-testid="test-accuracy"]');
    assert.match(acc, /^\d+\.\d%$/);
    assert.ok(Number.parseFloat(acc) > 85, acc);
    // Offline really is offline: a file the worker never cached fails.
    const missing = await page.evaluate(() =>
      fetch('data/not-there.bin').then(
        (r) => r.status,
        () => 'failed',
      ),
    );
    assert.equal(missing, 'failed');
  } finally {
    await lab.close();
  }
});
