// tf.min.js leaves `tf` non-extensible, so the wasm backend's UMD bundle
// cannot attach `tf.wasm` (setWasmPaths); give it an extensible copy.
globalThis.tf = { ...globalThis.tf };
