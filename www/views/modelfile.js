// The model's file buttons: save the trained model as an .aelab file,
// export it for TF.js or as ONNX, load one back. A file that does not load
// is refused next to the buttons and leaves the current model as it was
// (the engine checks the whole file before it replaces anything).

import { download } from '../context.js';
import { tfjsFiles } from '../export.js';
import { onnxFiles } from '../onnx.js';

export class ModelFileView {
  /**
   * @param {import('../context.js').Context} ctx
   * @param {any} training the training view, which shows errors and evaluates a loaded model
   * @param {{ save: HTMLButtonElement, tfjs: HTMLButtonElement, onnx: HTMLButtonElement, load: HTMLInputElement }} el
   */
  constructor(ctx, training, el) {
    el.save.addEventListener('click', () => download(`${ctx.lab.config().name}.aelab`, ctx.lab.saveModel()));
    for (const [button, what, files] of /** @type {const} */ ([
      [el.tfjs, 'TF.js', tfjsFiles],
      [el.onnx, 'ONNX', onnxFiles],
    ])) {
      button.addEventListener('click', () => {
        try {
          for (const f of files(ctx.lab.saveModel())) download(f.name, f.bytes, f.type);
          training.hideError();
        } catch (e) {
          training.showError(`${what} export: ${/** @type {Error} */ (e).message}`);
        }
      });
    }
    el.load.addEventListener('change', async () => {
      const file = el.load.files?.[0];
      if (!file) return;
      try {
        ctx.lab.loadModel(new Uint8Array(await file.arrayBuffer()));
        training.hideError();
        training.evaluateLoaded();
      } catch (err) {
        training.showError(`${file.name}: ${/** @type {Error} */ (err).message}`);
      }
      el.load.value = '';
    });
  }
}
