// Unit tests of www/stats.js: the guided path's figures over seeds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lessonText, meanSd, points } from '../../www/stats.js';

test('mean and sample sd, and one value has no spread', () => {
  const [m, sd] = meanSd([0.7, 0.8, 0.9]);
  assert.ok(Math.abs(m - 0.8) < 1e-12);
  assert.ok(Math.abs(sd - 0.1) < 1e-12);
  assert.deepEqual(meanSd([0.5]), [0.5, 0]);
});

test('points carry their sign, with a true minus', () => {
  assert.equal(points(0.062), '+6.2');
  assert.equal(points(-0.559), '−55.9');
});

test('a lesson is shown, reversed, or not shown by its standard error', () => {
  // 73.3 ± 1.5 against 65.0 ± 5.0: +8.3 points, standard error 3.0.
  const shown = lessonText('pre-training', [0.72, 0.75, 0.73], [0.6, 0.65, 0.7], 0.062);
  assert.equal(shown, "pre-training: +8.3 ± 3.0 points (report +6.2), the report's lesson shows here");
  assert.match(lessonText('pre-training', [0.6, 0.65, 0.7], [0.72, 0.75, 0.73], 0.062), /−8\.3 .*the opposite of the report's lesson$/);
  // +2.7 points with a standard error of 3.2.
  assert.match(lessonText('pre-training', [0.68, 0.7, 0.65], [0.6, 0.65, 0.7], 0.062), /\+2\.7 ± 3\.2 .*these runs do not show it$/);
  // One seed shows nothing; a missing figure is said.
  assert.match(lessonText('x', [0.5], [0.1], 0.1), /do not show it/);
  assert.equal(lessonText('x', [0.1, Number.NaN], [0.1, 0.2], 0.1), 'x: not measured');
  assert.equal(lessonText('x', [], [0.1], 0.1), 'x: not measured');
});
