// Exports a model file (the engine's safetensors layout) as TensorFlow.js
// Layers models: a classifier (encoder + head, softmax output) and an
// autoencoder (the encoder the decoder was trained with + decoder), each a
// `model.json` with its weights binary, loadable by `tf.loadLayersModel`.
// Plain JS over the file's bytes: the engine carries no exporter.
//
// Inputs are what the engine's network sees: 784 pixels on the model's
// scale (0..1 for `best`, 0..255 for `faithful`), deskewed when its config
// deskews (the `input` of `Lab.analyse`).

/** Reads a model file: its config and its tensors by name. */
export function readModelFile(/** @type {Uint8Array} */ bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const start = 8 + n;
  /** @type {Record<string, { shape: number[], data: Float32Array }>} */
  const tensors = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [a, b] = t.data_offsets;
    // A copy: the file's offsets need not be 4-byte aligned.
    tensors[name] = { shape: t.shape, data: new Float32Array(bytes.slice(start + a, start + b).buffer) };
  }
  return { config: JSON.parse(header.__metadata__.config), tensors };
}

/** The layers of net `name` in the file: [{ kernel, bias, units, act }]. */
function layersOf(/** @type {any} */ file, /** @type {string} */ name, /** @type {any[]} */ specs) {
  return specs.map((spec, i) => ({ ...spec, kernel: file.tensors[`${name}.${i}.weight`], bias: file.tensors[`${name}.${i}.bias`] }));
}

/** One Sequential Layers model from dense layers: { json, bin }. */
function sequential(/** @type {string} */ modelName, /** @type {any[]} */ layers, /** @type {string} */ binName) {
  const weights = [];
  const blobs = [];
  const config = layers.map((l, i) => {
    const name = `${modelName}_dense_${i}`;
    weights.push(
      { name: `${name}/kernel`, shape: l.kernel.shape, dtype: 'float32' },
      { name: `${name}/bias`, shape: l.bias.shape, dtype: 'float32' },
    );
    blobs.push(l.kernel.data, l.bias.data);
    return {
      class_name: 'Dense',
      config: {
        name,
        units: l.bias.shape[0],
        activation: l.act,
        use_bias: true,
        dtype: 'float32',
        trainable: false,
        ...(i === 0 ? { batch_input_shape: [null, l.kernel.shape[0]] } : {}),
      },
    };
  });
  const total = blobs.reduce((s, b) => s + b.length, 0);
  const bin = new Float32Array(total);
  let at = 0;
  for (const b of blobs) {
    bin.set(b, at);
    at += b.length;
  }
  const json = {
    format: 'layers-model',
    generatedBy: 'aelab',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: modelName, layers: config },
      keras_version: 'tfjs-layers',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [binName], weights }],
  };
  return { json, bin: new Uint8Array(bin.buffer) };
}

/**
 * The TF.js exports of a model file, as files to save: for a model with a
 * classifier `<name>-classifier.json` (+ `.weights.bin`), for one with a
 * decoder `<name>-autoencoder.json` (+ `.weights.bin`).
 * @returns {{ name: string, bytes: Uint8Array, type: string }[]}
 */
export function tfjsFiles(/** @type {Uint8Array} */ modelBytes) {
  const file = readModelFile(modelBytes);
  const c = file.config;
  const encoder = layersOf(file, 'encoder', c.encoder);
  const out = [];
  const save = (/** @type {string} */ kind, /** @type {any[]} */ layers) => {
    const base = `${c.name}-${kind}`;
    const { json, bin } = sequential(`${c.name}_${kind}`, layers, `${base}.weights.bin`);
    out.push({ name: `${base}.json`, bytes: new TextEncoder().encode(JSON.stringify(json)), type: 'application/json' });
    out.push({ name: `${base}.weights.bin`, bytes: bin, type: 'application/octet-stream' });
  };
  if (c.head) {
    const head = layersOf(file, 'head', [...c.head, { width: 10, act: 'linear' }]);
    head[head.length - 1].act = 'softmax'; // the logits' softmax: class probabilities
    save('classifier', [...encoder, ...head]);
  }
  if (c.decoder.length) {
    const reads = file.tensors['ae_encoder.0.weight'] ? layersOf(file, 'ae_encoder', c.encoder) : encoder;
    save('autoencoder', [...reads, ...layersOf(file, 'decoder', c.decoder)]);
  }
  return out;
}
