// The page carries, as a <meta>, the Content-Security-Policy that
// tools/serve.mjs sends as a header, so a static host that sends no headers
// still serves the lab under it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CSP } from '../../tools/serve.mjs';

test("index.html's meta policy is the served header's", () => {
  const html = readFileSync(new URL('../../www/index.html', import.meta.url), 'utf8');
  const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)];
  assert.equal(metas.length, 1, 'one policy meta');
  assert.equal(metas[0][1], CSP);
  // Before any script or style, so it governs them all.
  assert.ok(metas[0].index < html.indexOf('<script') && metas[0].index < html.indexOf('<link rel="stylesheet"'));
});
