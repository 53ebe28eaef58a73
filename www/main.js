// Boot: load the engine and the digits, draw the grid, wire the views.
import init, * as engine from './pkg/aelab.js';
import { drawGrid } from './views/digits.js';
import { TrainingView } from './views/training.js';

const status = document.getElementById('status');

async function boot() {
  const t0 = performance.now();
  const [, bytes] = await Promise.all([
    init(),
    fetch('data/mnist-10k.bin').then((r) => {
      if (!r.ok) throw new Error(`the digit data did not load (HTTP ${r.status}); run scripts/build.sh`);
      return r.arrayBuffer();
    }),
  ]);
  const lab = new engine.Lab(new Uint8Array(bytes));
  drawGrid(document.getElementById('digits'), (i) => lab.image(i), lab.count());
  window.aelab = { lab, engine };
  new TrainingView(lab, engine);
  status.textContent = `Ready: ${lab.count().toLocaleString()} digits loaded in ${Math.round(performance.now() - t0)} ms. Pick a model and press Start.`;
  document.body.dataset.ready = 'true';
}

boot().catch((e) => {
  status.textContent = `aelab could not start: ${e.message}`;
  status.classList.add('error');
  console.error(e);
});
