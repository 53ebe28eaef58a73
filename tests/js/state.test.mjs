// Unit tests of www/state.js: a setup as a link and back, and what a link
// may not say.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkHash, parseLink } from '../../www/state.js';

const offered = { datasets: ['mnist', 'fashion'], models: ['mnist_mlp_all', 'mnist_auto_2'], settings: ['seed', 'lr'] };

test('a setup survives the round trip through its link', () => {
  const setup = { data: 'fashion', model: 'mnist_auto_2', preset: 'faithful', settings: { seed: '42', lr: '0.01' } };
  assert.deepEqual(parseLink(linkHash(setup), offered), setup);
});

test('an empty link is the defaults', () => {
  assert.deepEqual(parseLink('', offered), { data: 'mnist', model: 'mnist_mlp_all', preset: 'best', settings: {} });
});

test('unknown keys, values and a key given twice are refused by name', () => {
  for (const [hash, why] of [
    ['#colour=blue', /"colour", which is not a setting/],
    ['#model=mnist_nope', /model "mnist_nope" does not exist/],
    ['#data=own', /cannot travel in a link/],
    ['#preset=fastest', /preset "fastest" does not exist/],
    ['#seed=1&seed=2', /it gives "seed" twice/],
    ['#model=mnist_auto_2&model=mnist_mlp_all', /it gives "model" twice/],
  ]) {
    assert.throws(() => parseLink(hash, offered), why, hash);
  }
});
