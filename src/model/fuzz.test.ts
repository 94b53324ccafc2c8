/**
 * Seeded fuzzing of model folders. Small valid models are built here (TextCNNs, a token-recurrent
 * network, a recurrent one), then corrupted in many ways: the weight file (truncation, header
 * length, header JSON, offsets, overlaps, dtypes, shapes, NaN/Inf and float32 overflow, aliases,
 * names, random bytes) and model.json (bad JSON, float32 under/overflow, missing, extra and
 * mistyped fields, huge sizes, `__proto__` / `constructor` keys, deep nesting, odd numbers).
 *
 * Every case must end in one of two ways: a `ModelFormatError` whose message is one line naming
 * model.json or weights.safetensors, or a model that loads and classifies on the CPU backend with
 * finite scores and a label. Anything else (another exception, a non-finite score, a case that
 * takes more than a generous time bound) fails the category. The seed makes runs repeatable;
 * SPIKESCOPE_FUZZ_SEED picks another one, SPIKESCOPE_FUZZ_CASES the cases per category.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine';
import { TestRandom } from '../test-support/random';
import { parseModel, serializeModel, type LoadedModel, type ModelConfig } from './format';
import { MAX_VOCABULARY } from './limits';
import { makeRandomTextCnn, randomUniformTensor, type RandomTextCnnOptions } from './random-model';
import { ModelFormatError, type TensorRecord } from './safetensors';

const SEED = Number(process.env.SPIKESCOPE_FUZZ_SEED ?? 20250611);
const CASES = Number(process.env.SPIKESCOPE_FUZZ_CASES ?? 24);
/** A case that takes longer than this counts as a hang (generous: a case takes milliseconds). */
const CASE_TIME_LIMIT_MS = 10_000;

const WORDS = ['the', 'film', 'is', 'not', 'good', 'bad', 'very', 'fun', 'dull', 'story', 'plot', 'it'];

interface ModelFiles {
  configText: string;
  weightBytes: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// The valid models the corruptions start from.

function textCnn(options: Partial<RandomTextCnnOptions> = {}): ModelFiles {
  const { config, weights } = makeRandomTextCnn({ vocabulary: WORDS, dim: 5, widths: [2, 3], filters: 3, classes: ['negative', 'positive'], seed: 11, vThreshold: 0.5, ...options });
  return serializeModel(config, weights);
}

const bif = { model: 'BIF', reset: 'soft', vThreshold: [1], beta: 1, vReset: 0, vInitFraction: 0.5, levels: 4, ann: { kind: 'quant', step: 1, levels: 4 } } as const;

/** A network of `layers` on the random TextCNN's embedding, with random weights for `tensors`. */
function custom(layers: unknown[], tensors: [string, number][], minLength: number): ModelFiles {
  const base = makeRandomTextCnn({ vocabulary: WORDS, dim: 5, widths: [2], filters: 3, classes: ['negative', 'positive'], seed: 13 });
  const weights = new Map<string, Float32Array | TensorRecord>([...base.weights].filter(([name]) => name === 'embedding'));
  for (const [name, count] of tensors) weights.set(name, randomUniformTensor(13, name, count, -0.8, 0.8));
  const config = {
    ...base.config,
    network: { ...base.config.network, encoder: { ...base.config.network.encoder, kind: 'direct', minLength, presentation: 'first-step' }, layers },
  } as ModelConfig;
  return serializeModel(config, weights);
}

/** conv(width 1) → token-recurrent BIF → sum pool → linear → BIF: the shipped RNN's layout. */
function tokenRecurrent(): ModelFiles {
  return custom(
    [
      { kind: 'conv', name: 'token_linear', inChannels: 5, widths: [1], filters: 4, bias: false },
      { kind: 'token-recurrent', name: 'rnn', hidden: 4, neuron: bif },
      { kind: 'pool', name: 'pool', mode: 'sum' },
      { kind: 'linear', name: 'fc', inFeatures: 4, outFeatures: 2, bias: false },
      { kind: 'neuron', name: 'fc_spike', ...bif, levels: 16, ann: { kind: 'quant', step: 1, levels: 16 } },
    ],
    [['token_linear.w1', 4 * 5], ['rnn.recurrentWeight', 16], ['fc.weight', 8]],
    1,
  );
}

/** Two convolutions concatenated, a residual sum, then a recurrent layer over the steps. */
function graph(): ModelFiles {
  const neuron = (name: string) => ({ kind: 'neuron', name, model: 'LIF', reset: 'soft', vThreshold: [0.4], beta: 0.9, vReset: 0, vInitFraction: 0, levels: 2, ann: { kind: 'relu' } });
  return custom(
    [
      { kind: 'conv', name: 'a', inChannels: 5, widths: [2], filters: 3, bias: true },
      { kind: 'conv', name: 'b', inChannels: 5, widths: [3], filters: 3, bias: false, inputs: ['input'] },
      { kind: 'concat', name: 'cat', inputs: ['a', 'b'] },
      neuron('cat_spike'),
      { kind: 'pool', name: 'pool', mode: 'avg' },
      { kind: 'linear', name: 'fc', inFeatures: 6, outFeatures: 6, bias: true },
      { kind: 'add', name: 'res', inputs: ['pool', 'fc'] },
      { kind: 'recurrent', name: 'rnn', inFeatures: 6, hidden: 2, bias: true, neuron: { model: 'IF', reset: 'soft', vThreshold: [0.3], beta: 1, vReset: 0, vInitFraction: 0, levels: 2, ann: { kind: 'identity' } } },
    ],
    [['a.w2', 3 * 2 * 5], ['a.b2', 3], ['b.w3', 3 * 3 * 5], ['fc.weight', 36], ['fc.bias', 6], ['rnn.inputWeight', 12], ['rnn.recurrentWeight', 4], ['rnn.bias', 2]],
    3,
  );
}

const BASES: [string, () => ModelFiles][] = [
  ['TextCNN IF F32', () => textCnn()],
  ['TextCNN BIF I8 bias population', () => textCnn({ neuronModel: 'BIF', embeddingDtype: 'I8', bias: true, population: 2, encoding: 'direct' })],
  ['TextCNN LIF F16 embedding', () => textCnn({ neuronModel: 'LIF', embeddingDtype: 'F16', widths: [1, 3] })],
  ['token-recurrent BIF', tokenRecurrent],
  ['concat, add and recurrent graph', graph],
];
const bases = BASES.map(([name, make]) => ({ name, files: make() }));

// ---------------------------------------------------------------------------------------------
// Helpers to take a model apart and put it back together.

type Json = any;
type Path = (string | number)[];

function splitWeights(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))), data: bytes.slice(8 + length) };
}

/** A weight file from header text (or JSON) and data, with an optional forged header length (u64). */
function joinWeights(header: string | Record<string, unknown>, data: Uint8Array, headerLength?: number): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  const view = new DataView(out.buffer);
  const length = headerLength ?? text.length;
  view.setUint32(0, length % 2 ** 32, true);
  view.setUint32(4, Math.floor(length / 2 ** 32), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function tensorNames(header: Record<string, unknown>): string[] {
  return Object.keys(header).filter((name) => name !== '__metadata__');
}

/** Every path in a JSON value (objects and arrays included), skipping most of the vocabulary. */
function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (typeof value !== 'object' || value === null) return out;
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  for (const key of keys) {
    if (prefix.length === 1 && prefix[0] === 'vocabulary' && typeof key === 'number' && key > 2) continue;
    out.push(...paths(value[key], [...prefix, key]));
  }
  return out;
}

function getAt(root: Json, path: Path): Json {
  return path.reduce((value, key) => (value === null || value === undefined ? undefined : value[key]), root);
}

/** Sets a value as an own property (so `__proto__` becomes a key, not the prototype). */
function setAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1));
  if (typeof parent === 'object' && parent !== null) Object.defineProperty(parent, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return root;
}

function deleteAt(root: Json, path: Path): void {
  const parent = getAt(root, path.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(path[path.length - 1] as number, 1);
  else if (typeof parent === 'object' && parent !== null) delete parent[path[path.length - 1]];
}

function pick<T>(random: TestRandom, items: readonly T[]): T {
  return items[random.integer(0, items.length)];
}

const numericPaths = (json: Json, under: string[]) => paths(json).filter((p) => typeof getAt(json, p) === 'number' && under.includes(String(p[0])));
const integerPaths = (json: Json) => paths(json).filter((p) => Number.isInteger(getAt(json, p)) && p[0] !== 'metrics' && p[0] !== 'provenance');

function deepArrayText(depth: number): string {
  return `${'['.repeat(depth)}0${']'.repeat(depth)}`;
}

function deepObjectText(depth: number): string {
  return `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;
}

// ---------------------------------------------------------------------------------------------
// The corruptions, by category. Each returns the corrupted files and a short description.

interface Mutation {
  files: ModelFiles;
  what: string;
}

type Corrupt = (random: TestRandom, base: ModelFiles) => Mutation;

function editWeights(base: ModelFiles, edit: (header: Record<string, any>, data: Uint8Array) => Uint8Array | void): ModelFiles {
  const { header, data } = splitWeights(base.weightBytes);
  const out = edit(header, data);
  return { configText: base.configText, weightBytes: out ?? joinWeights(header, data) };
}

function editConfig(base: ModelFiles, edit: (json: Json) => Json): ModelFiles {
  const json = JSON.parse(base.configText);
  const out = edit(json);
  return { configText: typeof out === 'string' ? out : JSON.stringify(out === undefined ? json : out), weightBytes: base.weightBytes };
}

const FLOAT32_EXTREMES = [1e-50, -1e-50, 1e-45, 1e-39, -1e-39, 2 ** -149, 1e39, -1e39, 3e38, 3.4e38, -3.4e38, 1e308, 5e-324, 1e20, 1e-30];
const HUGE_SIZES = [2 ** 31, 2 ** 32 + 1, 2 ** 53, 1e9, 1e15, 16385, 65537, 1025, 1e308, 0, -1, -(2 ** 31), 1.5];
const ODD_VALUES: Json[] = ['', 'x', '1', 0, -1, 0.5, 1e300, true, false, null, [], {}, [1, 2], { a: 1 }, ['a'], [[]]];
const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

const CATEGORIES: [string, Corrupt][] = [
  [
    'truncated weight file',
    (random, base) => {
      const cut = random.integer(0, base.weightBytes.length);
      return { files: { ...base, weightBytes: base.weightBytes.slice(0, cut) }, what: `cut at ${cut} of ${base.weightBytes.length}` };
    },
  ],
  [
    'header length beyond the file',
    (random, base) => {
      const { header, data } = splitWeights(base.weightBytes);
      const length = pick(random, [base.weightBytes.length, base.weightBytes.length * 2, 2 ** 32 - 1, 2 ** 40, 2 ** 53 - 1, 2 ** 63]);
      return { files: { ...base, weightBytes: joinWeights(header, data, length) }, what: `header length ${length}` };
    },
  ],
  [
    'header length inside the header',
    (random, base) => {
      const { header, data } = splitWeights(base.weightBytes);
      const length = random.integer(0, JSON.stringify(header).length);
      return { files: { ...base, weightBytes: joinWeights(header, data, length) }, what: `header length ${length}` };
    },
  ],
  [
    'bad header JSON',
    (random, base) => {
      const { header, data } = splitWeights(base.weightBytes);
      const text = [...JSON.stringify(header)];
      const edits = random.integer(1, 4);
      for (let k = 0; k < edits; k++) text[random.integer(0, text.length)] = pick(random, ['{', '}', '[', ']', '"', ',', ':', '\\', '\n', '\u0000', 'é', '😀', ' ', '0', '-']);
      const bytes = new TextEncoder().encode(text.join(''));
      if (random.next() < 0.2) bytes[random.integer(0, bytes.length)] = 0xff; // not UTF-8
      return { files: { ...base, weightBytes: joinWeights(new TextDecoder().decode(bytes), data) }, what: `${edits} character edits` };
    },
  ],
  [
    'offsets out of range',
    (random, base) => {
      let what = '';
      const files = editWeights(base, (header, data) => {
        const name = pick(random, tensorNames(header));
        const [begin, end] = header[name].data_offsets;
        const forged = pick(random, [
          [begin, data.length + 1],
          [data.length, data.length + (end - begin)],
          [begin + 1, end],
          [begin, end + 4],
          [end, begin],
          [-4, end],
          [begin, 2 ** 53],
          [begin + 0.5, end],
          [String(begin), end],
          [begin],
          null,
        ]);
        header[name].data_offsets = forged;
        what = `${name}: ${JSON.stringify(forged)}`;
      });
      return { files, what };
    },
  ],
  [
    'overlapping and aliased tensors',
    (random, base) => {
      let what = '';
      const files = editWeights(base, (header, data) => {
        const names = tensorNames(header);
        const target = pick(random, names);
        if (random.next() < 0.5 && names.length > 1) {
          // Two tensors of the same size pointing at the same bytes, or shifted into each other.
          const other = pick(random, names.filter((n) => n !== target));
          const shift = random.integer(-8, 9);
          const [begin, end] = header[target].data_offsets;
          header[other] = { ...header[target], data_offsets: [Math.max(0, begin + shift), Math.max(0, end + shift)] };
          what = `${other} onto ${target} shifted ${shift}`;
        } else {
          const count = pick(random, [2, 50, 5000, 20_000]);
          for (let i = 0; i < count; i++) header[`alias${i}`] = { ...header[target] };
          what = `${count} aliases of ${target}`;
        }
        return joinWeights(header, data);
      });
      return { files, what };
    },
  ],
  [
    'wrong dtypes',
    (random, base) => {
      let what = '';
      const files = editWeights(base, (header) => {
        const name = pick(random, tensorNames(header));
        const dtype = pick(random, ['BF16', 'F64', 'I16', 'I32', 'BOOL', 'f32', '', 7, null, ['F32'], 'I8', 'U8', 'F16', 'F32']);
        header[name].dtype = dtype;
        what = `${name}: ${JSON.stringify(dtype)}`;
      });
      return { files, what };
    },
  ],
  [
    'shape mismatches',
    (random, base) => {
      let what = '';
      const files = editWeights(base, (header) => {
        const name = pick(random, tensorNames(header));
        const shape: number[] = header[name].shape;
        const forged = pick(random, [
          [...shape].reverse(),
          [shape.reduce((a, b) => a * b, 1)],
          [...shape, 1],
          shape.slice(1),
          shape.map((extent) => extent + 1),
          [0, ...shape],
          [-1, ...shape],
          [2 ** 31, 2 ** 31],
          [1e300],
          new Array(20).fill(1),
          'x',
          [1.5],
        ]);
        header[name].shape = forged;
        what = `${name}: ${JSON.stringify(forged).slice(0, 40)}`;
      });
      return { files, what };
    },
  ],
  [
    'NaN, Inf and float32 overflow in weights',
    (random, base) => {
      let what = '';
      const files = editWeights(base, (header, data) => {
        const name = pick(random, tensorNames(header).filter((n) => header[n].dtype === 'F32' || header[n].dtype === 'F16'));
        const { dtype, data_offsets: [begin, end] } = header[name];
        const view = new DataView(data.buffer, data.byteOffset);
        const size = dtype === 'F32' ? 4 : 2;
        const at = begin + size * random.integer(0, (end - begin) / size);
        const value = pick(random, [NaN, Infinity, -Infinity, 3e38, -3.4e38, 1e21, 1e20, 9e19, 1e-45, -0]);
        if (dtype === 'F32') view.setFloat32(at, value, true);
        else view.setUint16(at, pick(random, [0x7c00, 0xfc00, 0x7e00, 0x7bff, 0x0001]), true);
        what = `${name} at byte ${at}: ${dtype === 'F32' ? value : 'F16 special'}`;
        return joinWeights(header, data);
      });
      return { files, what };
    },
  ],
  [
    'random bytes in the data',
    (random, base) => {
      const { header, data } = splitWeights(base.weightBytes);
      const flips = random.integer(1, 40);
      for (let k = 0; k < flips; k++) data[random.integer(0, data.length)] = random.integer(0, 256);
      return { files: { ...base, weightBytes: joinWeights(header, data) }, what: `${flips} bytes` };
    },
  ],
  [
    'tensor names: missing, extra, repeated, reserved',
    (random, base) => {
      let what = '';
      const files = editWeights(base, (header, data) => {
        const names = tensorNames(header);
        const name = pick(random, names);
        const choice = random.integer(0, 6);
        if (choice === 0) {
          delete header[name];
          what = `missing ${name}`;
        } else if (choice === 1) {
          header.extra = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
          what = 'extra empty tensor';
        } else if (choice === 2) {
          const text = JSON.stringify(header).replace(/}$/, `,${JSON.stringify(name)}:${JSON.stringify(header[name])}}`);
          what = `${name} listed twice`;
          return joinWeights(text, data);
        } else if (choice === 3) {
          const proto = pick(random, PROTO_NAMES);
          const text = JSON.stringify(header).replace(JSON.stringify(name), JSON.stringify(proto));
          what = `${name} renamed ${proto}`;
          return joinWeights(text, data);
        } else if (choice === 4) {
          header.__metadata__ = pick(random, [JSON.parse('{"__proto__": "x"}'), { a: 1 }, 'text', [], { constructor: 'y' }, JSON.parse('{"__proto__": {"polluted": "yes"}}')]);
          what = `__metadata__ ${JSON.stringify(header.__metadata__)}`;
        } else {
          header[pick(random, PROTO_NAMES)] = header[name];
          what = `copy of ${name} under a prototype name`;
        }
      });
      return { files, what };
    },
  ],
  [
    'deep nesting in the weight header',
    (random, base) => {
      const { header, data } = splitWeights(base.weightBytes);
      const depth = pick(random, [100, 10_000, 100_000]);
      const name = pick(random, tensorNames(header));
      const where = pick(random, ['shape', 'data_offsets', 'dtype', 'metadata']);
      const text =
        where === 'metadata'
          ? JSON.stringify({ ...header, __metadata__: { ...header.__metadata__, deep: '@@DEEP@@' } })
          : JSON.stringify({ ...header, [name]: { ...header[name], [where]: '@@DEEP@@' } });
      return { files: { ...base, weightBytes: joinWeights(text.replace('"@@DEEP@@"', random.next() < 0.5 ? deepArrayText(depth) : deepObjectText(depth)), data) }, what: `${where} of ${name}, ${depth} deep` };
    },
  ],
  [
    'bad model.json text',
    (random, base) => {
      const text = base.configText;
      const choice = random.integer(0, 4);
      if (choice === 0) {
        const cut = random.integer(0, text.length);
        return { files: { ...base, configText: text.slice(0, cut) }, what: `cut at ${cut}` };
      }
      if (choice === 1) {
        const chars = [...text];
        const edits = random.integer(1, 4);
        for (let k = 0; k < edits; k++) chars[random.integer(0, chars.length)] = pick(random, ['{', '}', '[', ']', '"', ',', ':', '\\', '\n', '\u0000', 'NaN', 'Infinity', '1e999', '-']);
        return { files: { ...base, configText: chars.join('') }, what: `${edits} character edits` };
      }
      if (choice === 2) return { files: { ...base, configText: pick(random, ['', 'null', '[]', '"model"', '1', 'true', '{}', '\ufeff{}', ' '.repeat(1000)]) }, what: 'not an object' };
      // A repeated key: JSON.parse keeps the last.
      return { files: { ...base, configText: text.replace('"format": "spikescope-model"', '"format": "spikescope-model", "format": "other"') }, what: 'repeated key' };
    },
  ],
  [
    'float32 underflow and overflow in model.json',
    (random, base) => {
      let what = '';
      const files = editConfig(base, (json) => {
        if (random.next() < 0.2) {
          const field = pick(random, ['clipLowSigmas', 'binarySigmas']);
          json.network.encoder[field] = pick(random, FLOAT32_EXTREMES);
          what = `encoder.${field} = ${json.network.encoder[field]}`;
          return;
        }
        const path = pick(random, numericPaths(json, ['network', 'embedding']));
        const value = pick(random, FLOAT32_EXTREMES);
        setAt(json, path, value);
        what = `${path.join('.')} = ${value}`;
      });
      return { files, what };
    },
  ],
  [
    'missing fields',
    (random, base) => {
      let what = '';
      const files = editConfig(base, (json) => {
        const candidates = paths(json).filter((p) => p.length > 0);
        const path = pick(random, candidates);
        deleteAt(json, path);
        what = `without ${path.join('.')}`;
      });
      return { files, what };
    },
  ],
  [
    'extra fields',
    (random, base) => {
      let what = '';
      const files = editConfig(base, (json) => {
        const objects = paths(json).filter((p) => { const v = getAt(json, p); return typeof v === 'object' && v !== null && !Array.isArray(v); });
        const path = pick(random, objects);
        const key = pick(random, ['extra', 'note', ...PROTO_NAMES]);
        const value = pick(random, ODD_VALUES);
        setAt(json, [...path, key], value);
        what = `${[...path, key].join('.')} = ${JSON.stringify(value)}`;
      });
      return { files, what };
    },
  ],
  [
    'wrong types',
    (random, base) => {
      let what = '';
      const files = editConfig(base, (json) => {
        const path = pick(random, paths(json).filter((p) => p.length > 0));
        const value = pick(random, ODD_VALUES);
        setAt(json, path, value);
        what = `${path.join('.')} = ${JSON.stringify(value)}`;
      });
      return { files, what };
    },
  ],
  [
    'huge sizes',
    (random, base) => {
      let what = '';
      const files = editConfig(base, (json) => {
        const choice = random.integer(0, 10);
        if (choice === 0) {
          json.vocabulary = new Array(MAX_VOCABULARY + 1).fill('w');
          what = `vocabulary of ${json.vocabulary.length} words`;
        } else if (choice === 1) {
          const layers = json.network.layers;
          json.network.layers = Array.from({ length: pick(random, [257, 5000]) }, (_, i) => ({ ...layers[layers.length - 1], name: `n${i}` }));
          what = `${json.network.layers.length} layers`;
        } else if (choice === 2) {
          json.network.layers[0].widths = Array.from({ length: pick(random, [1025, 100_000]) }, (_, i) => i + 1);
          what = `${json.network.layers[0].widths.length} widths`;
        } else {
          const path = pick(random, integerPaths(json));
          const value = pick(random, HUGE_SIZES);
          setAt(json, path, value);
          what = `${path.join('.')} = ${value}`;
        }
      });
      return { files, what };
    },
  ],
  [
    '__proto__ and constructor keys and names',
    (random, base) => {
      let what = '';
      const name = pick(random, PROTO_NAMES);
      const choice = random.integer(0, 6);
      if (choice === 0) {
        // A layer named like a property of every object: in model.json (and the layers that read
        // it) and in the names of its tensors.
        const json = JSON.parse(base.configText);
        const old: string = pick<{ name: string }>(random, json.network.layers).name;
        const rename = (text: string) => text.split(JSON.stringify(old)).join(JSON.stringify(name)).split(`"${old}.`).join(`"${name}.`);
        const { header, data } = splitWeights(base.weightBytes);
        return { files: { configText: rename(JSON.stringify(json)), weightBytes: joinWeights(rename(JSON.stringify(header)), data) }, what: `layer ${old} named ${name}` };
      }
      const files = editConfig(base, (json) => {
        if (choice === 1) {
          json.vocabulary[random.integer(0, json.vocabulary.length)] = name;
          what = `word ${name}`;
        } else if (choice === 2) {
          json.network.readout.classes[random.integer(0, json.network.readout.classes.length)] = name;
          what = `class ${name}`;
        } else if (choice === 3) {
          const text = JSON.stringify(json).replace(/^\{/, `{"__proto__": {"format": "spikescope-model", "version": 1, "polluted": true},`);
          what = 'top-level __proto__ object';
          return text;
        } else if (choice === 4) {
          const text = JSON.stringify(json).replace('"encoder":{', `"encoder":{"__proto__":{"minLength":1e9,"std":0},`);
          what = 'encoder __proto__';
          return text;
        } else {
          json.embedding.tensor = name;
          what = `embedding tensor named ${name} (absent from the weights)`;
        }
      });
      return { files, what };
    },
  ],
  [
    'deep nesting in model.json',
    (random, base) => {
      let what = '';
      const depth = pick(random, [65, 1000, 100_000]);
      const files = editConfig(base, (json) => {
        const path = pick(random, paths(json).filter((p) => p.length > 0));
        setAt(json, path, '@@DEEP@@');
        what = `${path.join('.')} nested ${depth} deep`;
        return JSON.stringify(json).replace('"@@DEEP@@"', random.next() < 0.5 ? deepArrayText(depth) : deepObjectText(depth));
      });
      return { files, what };
    },
  ],
  [
    'odd numbers in model.json',
    (random, base) => {
      let what = '';
      const files = editConfig(base, (json) => {
        const path = pick(random, numericPaths(json, ['network', 'embedding', 'numSteps', 'seed']));
        const old = getAt(json, path) as number;
        const value = pick(random, [0, -old, old * 2, old + 1, old - 1, old * 1e6, old / 1e6, 0.5, -0, 1 - 2 ** -30, 2 ** 32, 4294967295]);
        setAt(json, path, value);
        what = `${path.join('.')} ${old} → ${value}`;
      });
      return { files, what };
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// The oracle.

const engine = new Engine({ backend: 'cpu' });
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

type Outcome = 'rejected' | 'loaded';

/** Loads the files; a rejection must be a one-line ModelFormatError naming the file; a load must classify with finite scores. */
async function judge(files: ModelFiles, seed: number): Promise<Outcome> {
  let model: LoadedModel;
  try {
    model = parseModel(files.configText, files.weightBytes);
  } catch (error) {
    if (!(error instanceof ModelFormatError)) throw new Error(`threw ${(error as Error)?.name}: ${String((error as Error)?.message).slice(0, 300)}`);
    const message = error.message;
    if (/[\n\r]/.test(message)) throw new Error(`message on several lines: ${JSON.stringify(message.slice(0, 300))}`);
    if (!/^(model\.json|weights\.safetensors): \S/.test(message)) throw new Error(`message names no file: ${message.slice(0, 300)}`);
    if (message.length > 2000) throw new Error(`message of ${message.length} characters`);
    return 'rejected';
  }
  const words = model.config.vocabulary;
  const texts = [`${words[0]} ${words[1]} ${words[2 % words.length]} unknownword`, words.slice(0, 6).join(' ')];
  let result;
  try {
    result = await engine.classify(model, texts, { numSteps: 4, encoding: seed % 2 === 0 ? 'rate' : 'direct', seed });
  } catch (error) {
    throw new Error(`loaded, then classification threw ${(error as Error)?.name}: ${String((error as Error)?.message).slice(0, 300)}`);
  }
  for (const sample of result.samples) {
    const scores = [...sample.scores, ...(sample.ann?.scores ?? [])];
    if (!scores.every(Number.isFinite)) throw new Error(`loaded, scores not finite: ${JSON.stringify(scores)}`);
    if (!model.spec.readout.classes.includes(sample.label)) throw new Error(`label ${sample.label} is no class`);
  }
  return 'loaded';
}

interface Tally {
  tried: number;
  rejected: number;
  loaded: number;
  failed: number;
}

const tallies = new Map<string, Tally>();

afterAll(() => {
  engine.dispose();
  const rows = [...tallies].map(([name, t]) => `${name.padEnd(48)} ${String(t.tried).padStart(5)} ${String(t.rejected + t.loaded).padStart(8)} ${String(t.failed).padStart(6)}   (${t.rejected} rejected, ${t.loaded} loaded)`);
  const total = [...tallies.values()].reduce((sum, t) => ({ tried: sum.tried + t.tried, handled: sum.handled + t.rejected + t.loaded, failed: sum.failed + t.failed }), { tried: 0, handled: 0, failed: 0 });
  console.log(
    [`model fuzzing, seed ${SEED}, ${CASES} cases per category:`, `${'category'.padEnd(48)} tried  handled failed`, ...rows, `${'all'.padEnd(48)} ${String(total.tried).padStart(5)} ${String(total.handled).padStart(8)} ${String(total.failed).padStart(6)}`].join('\n'),
  );
});

describe('model folder fuzzing: every corruption is a one-line ModelFormatError or a model with finite scores', () => {
  it('the base models load and classify', async () => {
    for (const base of bases) expect(await judge(base.files, 1), base.name).toBe('loaded');
  });

  CATEGORIES.forEach(([category, corrupt], categoryIndex) => {
    it(category, async () => {
      const random = new TestRandom(SEED * 31 + categoryIndex);
      const tally: Tally = { tried: 0, rejected: 0, loaded: 0, failed: 0 };
      tallies.set(category, tally);
      const failures: string[] = [];
      for (let n = 0; n < CASES; n++) {
        const base = bases[n % bases.length];
        let mutation: Mutation;
        try {
          mutation = corrupt(random, base.files);
        } catch (error) {
          throw new Error(`the corruption itself failed on ${base.name}: ${(error as Error).message}`);
        }
        tally.tried++;
        const started = performance.now();
        try {
          const outcome = await judge(mutation.files, n);
          const elapsed = performance.now() - started;
          if (elapsed > CASE_TIME_LIMIT_MS) throw new Error(`took ${elapsed.toFixed(0)} ms`);
          tally[outcome]++;
        } catch (error) {
          tally.failed++;
          failures.push(`case ${n} (${base.name}; ${mutation.what.slice(0, 120)}): ${(error as Error).message}`);
        }
      }
      // Prototypes stay as they were, whatever keys the files held.
      expect(Object.getOwnPropertyNames(Object.prototype).sort().join(',')).toBe(PROTOTYPE_KEYS);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(failures.slice(0, 5)).toEqual([]);
    }, 120_000);
  });
});
