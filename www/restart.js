// A Rust panic aborts the wasm instance: everything after it would trap.
// The glue calls `aelabOnPanic`; this starts a fresh instance (the glue
// under a new URL is a new module), swaps it into the shared context, and
// brings back the last finished model, so a panic costs the run in
// progress and nothing else. An abort that no panic announces (running out
// of memory, a trap) reaches `aelabOnAbort` from the training scheduler, or
// the window as an uncaught WebAssembly.RuntimeError, and is handled alike.

/**
 * Installs the page's panic handler.
 * @param {import('./context.js').Context} ctx the shared context, whose engine and lab are swapped
 * @param {{ training: any, buildUrl: URL | string, data: () => Uint8Array, lastModel: () => Uint8Array | null,
 *   onMemory: (memory: WebAssembly.Memory) => void }} o the training view (stopped, then told what
 *   happened), the wasm build's URL, the loaded data and the last finished model as they are when
 *   the panic comes, and where the fresh instance's memory goes
 */
export function restartOnPanic(ctx, { training, buildUrl, data, lastModel, onMemory }) {
  let instances = 0;
  const restart = async (/** @type {string} */ message) => {
    training.stop();
    instances += 1;
    const fresh = await import(`./pkg/aelab.js?instance=${instances}`);
    const freshWasm = await fresh.default({ module_or_path: buildUrl });
    ctx.lab = new fresh.Lab(data());
    ctx.engine = fresh;
    onMemory(freshWasm.memory);
    const model = lastModel();
    let restored = false;
    if (model) {
      try {
        ctx.lab.loadModel(model);
        training.evaluateLoaded();
        restored = true;
      } catch {
        /* the fresh lab stays empty */
      }
    } else {
      training.reset();
    }
    training.showError(
      `The engine stopped on an internal error and was restarted (${message.replace(/^aelab engine panic: /, '').replace(/\s+/g, ' ')}). ` +
        (restored ? 'The run in progress was lost; the last finished model is back.' : 'The run in progress was lost.'),
    );
    document.body.dataset.restarts = String(instances);
  };
  // One restart at a time: a panic's own trap follows its hook.
  let pending = false;
  const begin = (/** @type {string} */ message) => {
    if (pending) return;
    pending = true;
    setTimeout(() =>
      restart(message)
        .catch((e) => training.showError(`restarting the engine failed: ${e.message}`))
        .finally(() => {
          pending = false;
        }),
    );
  };
  const onAbort = (/** @type {unknown} */ e) => {
    if (e instanceof WebAssembly.RuntimeError) begin(`the engine aborted: ${e.message}`);
  };
  Object.assign(globalThis, { aelabOnPanic: begin, aelabOnAbort: onAbort });
  globalThis.addEventListener?.('error', (ev) => onAbort(ev.error));
  globalThis.addEventListener?.('unhandledrejection', (ev) => onAbort(ev.reason));
}
