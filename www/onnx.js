// Exports a model as ONNX (opset 13): the encoder, the decoder and the
// classifier, each a graph of Gemm nodes and their activations with the
// weights as initializers. The protobuf is written here by hand (a few
// message types, varints and length-delimited fields): no npm ONNX writer
// is small and kept up, and the engine should not carry one.
//
// Each graph's input "x" is what that net reads: the encoder and the
// classifier 784 pixels as the engine's network sees them (the model's
// scale, deskewed when its config deskews), the decoder a code. Output "y".
import { readModelFile } from './export.js';

const FLOAT = 1; // TensorProto.DataType.FLOAT

/** Protobuf writer: fields in order, varints, length-delimited bytes. */
class Proto {
  constructor() {
    /** @type {number[]} */
    this.bytes = [];
  }
  varint(/** @type {number} */ v) {
    let n = BigInt(v);
    if (n < 0n) n += 1n << 64n; // int64 negatives: two's complement, 10 bytes
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n) b |= 0x80;
      this.bytes.push(b);
    } while (n);
    return this;
  }
  tag(/** @type {number} */ field, /** @type {number} */ wire) {
    return this.varint((field << 3) | wire);
  }
  int(/** @type {number} */ field, /** @type {number} */ v) {
    return this.tag(field, 0).varint(v);
  }
  raw(/** @type {number} */ field, /** @type {Uint8Array | number[]} */ b) {
    this.tag(field, 2).varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  str(/** @type {number} */ field, /** @type {string} */ s) {
    return this.raw(field, new TextEncoder().encode(s));
  }
  msg(/** @type {number} */ field, /** @type {Proto} */ m) {
    return this.raw(field, m.bytes);
  }
  done() {
    return Uint8Array.from(this.bytes);
  }
}

/** ValueInfoProto: a float tensor [batch, width]. */
function valueInfo(/** @type {string} */ name, /** @type {number} */ width) {
  const shape = new Proto().msg(1, new Proto().str(2, 'batch')).msg(1, new Proto().int(1, width));
  const tensor = new Proto().int(1, FLOAT).msg(2, shape);
  return new Proto().str(1, name).msg(2, new Proto().msg(1, tensor));
}

/** TensorProto: a float initializer. */
function initializer(/** @type {string} */ name, /** @type {number[]} */ dims, /** @type {Float32Array} */ data) {
  const t = new Proto();
  for (const d of dims) t.int(1, d);
  t.int(2, FLOAT).str(8, name);
  return t.raw(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** NodeProto; `attrs` are int attributes. */
function node(
  /** @type {string} */ op,
  /** @type {string[]} */ inputs,
  /** @type {string} */ output,
  /** @type {Record<string, number>} */ attrs = {},
) {
  const n = new Proto();
  for (const i of inputs) n.str(1, i);
  n.str(2, output).str(3, `${op}_${output}`).str(4, op);
  for (const [k, v] of Object.entries(attrs)) n.msg(5, new Proto().str(1, k).int(3, v).int(20, 2)); // type INT
  return n;
}

const ACT = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax' };

/** A ModelProto for dense layers [{ kernel, bias, act }]. */
function model(/** @type {string} */ name, /** @type {any[]} */ layers) {
  const g = new Proto();
  let cur = 'x';
  layers.forEach((l, i) => {
    const [w, b, z] = [`w${i}`, `b${i}`, `z${i}`];
    g.msg(5, initializer(w, l.kernel.shape, l.kernel.data));
    g.msg(5, initializer(b, l.bias.shape, l.bias.data));
    const last = i === layers.length - 1;
    const act = /** @type {any} */ (ACT)[l.act];
    g.msg(1, node('Gemm', [cur, w, b], act || !last ? z : 'y'));
    cur = z;
    if (act) {
      const out = last ? 'y' : `a${i}`;
      g.msg(1, node(act, [z], out, l.act === 'softmax' ? { axis: 1 } : {}));
      cur = out;
    }
  });
  g.str(2, name);
  g.msg(11, valueInfo('x', layers[0].kernel.shape[0]));
  g.msg(12, valueInfo('y', layers[layers.length - 1].bias.shape[0]));
  // ir_version 8, producer, graph, opset 13.
  return new Proto().int(1, 8).str(2, 'aelab').msg(7, g).msg(8, new Proto().str(1, '').int(2, 13)).done();
}

/**
 * The ONNX exports of a model file: `<name>-encoder.onnx`, `-decoder.onnx`
 * (the decoder with the encoder it was trained with), `-classifier.onnx`
 * (encoder + head, softmax output), whichever the model has.
 * @returns {{ name: string, bytes: Uint8Array, type: string }[]}
 */
export function onnxFiles(/** @type {Uint8Array} */ modelBytes) {
  const file = readModelFile(modelBytes);
  const c = file.config;
  const layers = (/** @type {string} */ net, /** @type {any[]} */ specs) =>
    specs.map((s, i) => ({ act: s.act, kernel: file.tensors[`${net}.${i}.weight`], bias: file.tensors[`${net}.${i}.bias`] }));
  const out = [];
  const save = (/** @type {string} */ part, /** @type {any[]} */ ls) =>
    out.push({ name: `${c.name}-${part}.onnx`, bytes: model(`${c.name}_${part}`, ls), type: 'application/octet-stream' });
  const encoder = layers('encoder', c.encoder);
  if (c.decoder.length) {
    save('encoder', file.tensors['ae_encoder.0.weight'] ? layers('ae_encoder', c.encoder) : encoder);
    save('decoder', layers('decoder', c.decoder));
  }
  if (c.head) {
    const head = layers('head', [...c.head, { width: 10, act: 'softmax' }]);
    save('classifier', [...encoder, ...head]);
  }
  return out;
}
