// Shared by the Playwright tests: Debian's Chromium, headless, on a fresh
// profile, against the project's own server on a free localhost port.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../tools/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Serves `mounts` (default: the lab) on a free localhost port and opens a
 * fresh headless browser on its own profile; collects console errors, page
 * errors and every request. Returns { page, url, errors, requests, close, context }.
 */
export async function openBrowser({ mounts, csp, viewport = { width: 1100, height: 900 } } = {}) {
  const { server, url } = await serve(0, mounts, csp);
  const profile = mkdtempSync(join(tmpdir(), 'aelab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  const close = async () => {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, url, errors, requests, close, context };
}

/**
 * Opens the lab in a fresh browser and waits until the page says it is ready;
 * returns { page, url, errors, requests, close }.
 */
export async function openLab(path = '', options = {}) {
  const lab = await openBrowser(options);
  await lab.page.goto(lab.url + path);
  await lab.page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return lab;
}

/**
 * Pixels brighter than `threshold` on a canvas, counted per `cell`×`cell`
 * square (row-major). A placeholder (an empty view's text on a light
 * ground, `data-empty="true"`) has no ink: all zeros.
 */
export function litPixels(page, selector, threshold = 64, cell = 0) {
  return page.$eval(
    selector,
    (c, [t, cell]) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const size = cell || Math.max(c.width, c.height);
      const cols = Math.floor(c.width / size);
      const counts = new Array(cols * Math.floor(c.height / size)).fill(0);
      if (c.dataset.empty === 'true') return counts;
      for (let y = 0; y < Math.floor(c.height / size) * size; y++) {
        for (let x = 0; x < cols * size; x++) {
          if (d[4 * (y * c.width + x)] > t) counts[Math.floor(y / size) * cols + Math.floor(x / size)]++;
        }
      }
      return counts;
    },
    [threshold, cell],
  );
}

/**
 * Clicks Run all and waits until every row of the results table has its
 * figure; returns the seconds it took (the bench's Run all and the page
 * tests' share it).
 */
export async function runAll(page, timeout = 300_000) {
  const t0 = Date.now();
  await page.click('[data-testid="run-all"]');
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-testid="result-row"]')].every(
        (r) => r.querySelector('[data-testid="result-measured"]').dataset.value,
      ),
    null,
    { timeout, polling: 250 },
  );
  return (Date.now() - t0) / 1000;
}

/** Where the tests leave screenshots and files, for a person to look at. */
export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;

/** Requests a page made to anywhere but its own origin (data: and blob: are its own). */
export function offOrigin(lab) {
  return lab.requests.filter((u) => !u.startsWith(lab.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
}

/** Draws strokes (lists of [x, y] in the pad's 280×280 pixels) with the mouse. */
export async function drawOn(page, strokes) {
  const pad = page.locator('[data-testid="draw-pad"]');
  await pad.scrollIntoViewIfNeeded();
  await page.click('[data-testid="pad-clear"]');
  const box = await pad.boundingBox();
  const s = box.width / 280;
  for (const stroke of strokes) {
    await page.mouse.move(box.x + stroke[0][0] * s, box.y + stroke[0][1] * s);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x * s, box.y + y * s, { steps: 3 });
    await page.mouse.up();
  }
  return (await page.textContent('[data-testid="prediction"]')).trim();
}

// Digit shapes in a unit box, placed and scaled on the pad.
export const place = (pts, x, y, size) => pts.map(([u, v]) => [x + u * size, y + v * size]);
export const ONE = [
  [
    [0.55, 0],
    [0.5, 0.5],
    [0.45, 1],
  ],
];
export const ZERO = [
  Array.from({ length: 25 }, (_, i) => [0.5 + 0.33 * Math.sin((i / 24) * 2 * Math.PI), 0.5 - 0.5 * Math.cos((i / 24) * 2 * Math.PI)]),
];
export const SEVEN = [
  [
    [0.1, 0],
    [0.9, 0],
    [0.6, 0.5],
    [0.4, 1],
  ],
];
export const shape = (strokes, x, y, size) => strokes.map((s) => place(s, x, y, size));
