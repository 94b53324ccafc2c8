import { describe, expect, it } from 'vitest';
import { firingProbabilities } from './encoding';
import { expectedLayerTensors, ModelFormatError, parseModel, quantizeTable, serializeModel } from './format';
import { readSafetensors, writeSafetensors } from './safetensors';
import type { TensorRecord } from './safetensors';
import { makeRandomTextCnn } from './random-model';
import type { RandomTextCnnOptions } from './random-model';

const words = ['the', 'film', 'is', 'not', 'good', 'bad', 'very', 'fun', 'dull', 'story'];
const base: RandomTextCnnOptions = { vocabulary: words, dim: 6, widths: [2, 3], filters: 4, classes: ['negative', 'positive'], seed: 7 };

function saved(options: Partial<RandomTextCnnOptions> = {}): { configText: string; weightBytes: Uint8Array } {
  const { config, weights } = makeRandomTextCnn({ ...base, ...options });
  return serializeModel(config, weights);
}

/** Parses a model whose config JSON was changed by `edit`; returns the error message. */
function errorAfter(edit: (json: any) => void, weightBytes?: Uint8Array): string {
  const model = saved();
  const json = JSON.parse(model.configText);
  edit(json);
  try {
    parseModel(JSON.stringify(json), weightBytes ?? model.weightBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as Error).name).toBe('ModelFormatError');
    return (error as Error).message;
  }
  throw new Error('the model parsed without error');
}

/** Rewrites the weight file of the default model through `edit` on its tensors. */
function weightsAfter(edit: (tensors: Map<string, TensorRecord>) => void): Uint8Array {
  const tensors = readSafetensors(saved().weightBytes);
  edit(tensors);
  return writeSafetensors(tensors);
}

describe('model round trip', () => {
  it('parses back the config and the exact weights that were serialised', () => {
    const { config, weights } = makeRandomTextCnn({ ...base, bias: true });
    const { configText, weightBytes } = serializeModel(config, weights);
    const model = parseModel(configText, weightBytes);
    expect(model.config).toEqual(config);
    expect(model.spec).toEqual(config.network);
    expect([...model.weights.keys()].sort()).toEqual(['conv.b2', 'conv.b3', 'conv.w2', 'conv.w3', 'fc.bias', 'fc.weight']);
    for (const [name, values] of model.weights) expect(values).toEqual(weights.get(name));
    expect(model.embeddings).toEqual(weights.get('embedding'));
    const { mean, std, clipSigmas } = config.network.encoder;
    expect(model.probabilities).toEqual(firingProbabilities(model.embeddings, 6, mean, std, clipSigmas));
    expect(model.vocabulary.exactId('good')).toBe(4);
    expect(configText.trimEnd().endsWith(`"vocabulary": ${JSON.stringify(words)}\n}`)).toBe(true);
  });

  it('dequantises an I8 or U8 embedding within half a step', () => {
    for (const dtype of ['I8', 'U8'] as const) {
      const { config } = makeRandomTextCnn(base);
      const floats = makeRandomTextCnn(base).weights.get('embedding') as Float32Array;
      const model = parseModel(...(Object.values(saved({ embeddingDtype: dtype })) as [string, Uint8Array]));
      expect(model.config.embedding.quantScale).toBeGreaterThan(0);
      for (let i = 0; i < floats.length; i++) expect(Math.abs(model.embeddings[i] - floats[i])).toBeLessThanOrEqual(model.config.embedding.quantScale! / 2 + 1e-6);
      expect(model.embeddings.length).toBe(config.vocabulary.length * 6);
    }
  });

  it('stores an F16 embedding and reads it as float32', () => {
    const model = parseModel(...(Object.values(saved({ embeddingDtype: 'F16' })) as [string, Uint8Array]));
    expect(readSafetensors(saved({ embeddingDtype: 'F16' }).weightBytes).get('embedding')!.dtype).toBe('F16');
    expect(model.embeddings).toBeInstanceOf(Float32Array);
  });

  it('makes the same bytes from the same options (deterministic test models)', () => {
    expect(saved().weightBytes).toEqual(saved().weightBytes);
    expect(saved({ seed: 8 }).weightBytes).not.toEqual(saved().weightBytes);
  });

  it('builds valid LIF, BIF, population and direct-encoding variants', () => {
    for (const options of [{ neuronModel: 'LIF' }, { neuronModel: 'BIF', levels: 4 }, { population: 10 }, { encoding: 'direct' }] as Partial<RandomTextCnnOptions>[]) {
      const model = parseModel(...(Object.values(saved(options)) as [string, Uint8Array]));
      expect(model.spec.layers.at(-1)!.kind).toBe('neuron');
    }
  });
});

describe('quantizeTable', () => {
  it('maps min and max to the ends of the 8-bit range', () => {
    const table = new Float32Array([-1, 0, 0.5, 3]);
    const q = quantizeTable(table, 'U8');
    expect(Array.from(q.data)[0]).toBe(0);
    expect(Array.from(q.data)[3]).toBe(255);
    const i8 = quantizeTable(table, 'I8');
    expect(Array.from(i8.data)[0]).toBe(-128);
    expect(Array.from(i8.data)[3]).toBe(127);
  });
});

describe('model.json validation names the first problem by its path', () => {
  const cases: [string, (json: any) => void, RegExp][] = [
    ['negative threshold', (j) => (j.network.layers[1].vThreshold = [-1]), /^model\.json: network\.layers\[1\]\.vThreshold: must be positive numbers, got -1$/],
    ['beta out of range', (j) => (j.network.layers[3].beta = 1.5), /network\.layers\[3\]\.beta: must be in \(0, 1\], got 1\.5/],
    ['levels below 2', (j) => (j.network.layers[5].levels = 1), /network\.layers\[5\]\.levels: must be an integer in \[2, 65536\], got 1/],
    ['population 0', (j) => (j.network.readout.population = 0), /network\.readout\.population: must be an integer in \[1, 16384\], got 0/],
    ['width 0', (j) => (j.network.layers[0].widths = [0, 3]), /network\.layers\[0\]\.widths\[0\]: must be an integer in \[1, 1024\], got 0/],
    ['channel mismatch', (j) => (j.network.layers[4].inFeatures = 9), /network\.layers\[4\]\.inFeatures: must equal the 8 channels that the layer before outputs, got 9/],
    ['conv after pool', (j) => j.network.layers.splice(3, 0, { ...j.network.layers[0], name: 'late', inChannels: 8 }), /network\.layers\[3\]\.kind: a convolution must come before the pool layer/],
    ['duplicate names', (j) => (j.network.layers[3].name = 'conv_spike'), /network\.layers\[3\]\.name: is already the name of network\.layers\[1\]/],
    ['no pool', (j) => j.network.layers.splice(2, 1), /network\.layers: must contain a pool layer/],
    ['readout width', (j) => (j.network.readout.classes = ['a', 'b', 'c']), /network\.readout: classes \(3\) × population \(1\) = 3 must equal the 2 outputs/],
    ['unknown kind', (j) => (j.network.layers[2].kind = 'maxpool'), /network\.layers\[2\]\.kind: must be one of "conv", "neuron", "sequence-neuron", "pool", "linear", "recurrent", "token-recurrent", "lstm", "concat", "add", got "maxpool"/],
    ['wrong format', (j) => (j.format = 'onnx'), /^model\.json: format: must be "spikescope-model"/],
    ['future version', (j) => (j.version = 2), /version: this build of Spikescope reads version 1/],
    ['missing name', (j) => delete j.name, /^model\.json: name: must be a non-empty string, got nothing$/],
    ['bad language', (j) => (j.language = 'fr'), /language: must be one of "en", "zh", got "fr"/],
    ['duplicate word', (j) => (j.vocabulary[5] = 'the'), /vocabulary\[5\]: repeats vocabulary\[0\]/],
    ['std zero', (j) => (j.network.encoder.std = 0), /network\.encoder\.std: must be a positive number, got 0/],
    ['minLength too short', (j) => (j.network.encoder.minLength = 2), /network\.encoder\.minLength: must be at least 3 so that every convolution branch has an output position, got 2/],
    ['quant step', (j) => (j.network.layers[1].ann = { kind: 'quant', step: 0, levels: 4 }), /network\.layers\[1\]\.ann\.step: must be a positive number, got 0/],
    ['numSteps', (j) => (j.numSteps = 0), /numSteps: must be an integer in \[1, 1000\], got 0/],
    ['provenance', (j) => (j.provenance.seed = -1), /provenance\.seed: must be an integer in \[0, 4294967295\], got -1/],
    ['metrics', (j) => (j.metrics = [1]), /metrics: must be a JSON object, got \[1\]/],
    ['threshold count', (j) => (j.network.layers[1].vThreshold = [1, 1, 1]), /vThreshold: must hold 1 threshold or one per channel \(8\), got 3 values/],
    ['float embedding with scale', (j) => (j.embedding.quantScale = 0.1), /embedding\.quantScale: only an I8 or U8 embedding is quantised/],
  ];
  for (const [label, edit, message] of cases) it(label, () => expect(errorAfter(edit)).toMatch(message));

  const float32Cases: [string, (json: any) => void, RegExp][] = [
    ['std that is 0 in float32', (j) => (j.network.encoder.std = 1e-50), /^model\.json: network\.encoder\.std: must be a positive number; the engine computes in float32, which holds 0 or magnitudes from 1\.2e-38 to 3\.4e38, got 1e-50$/],
    ['threshold that is subnormal in float32', (j) => (j.network.layers[1].vThreshold = [1e-45]), /network\.layers\[1\]\.vThreshold: must be positive numbers that float32 holds: from 1\.2e-38 to 3\.4e38, got 1e-45/],
    ['threshold that is infinite in float32', (j) => (j.network.layers[1].vThreshold = [1e39]), /network\.layers\[1\]\.vThreshold: must be positive numbers that float32 holds/],
    ['clipSigmas that is infinite in float32', (j) => (j.network.encoder.clipSigmas = 1e39), /network\.encoder\.clipSigmas: must be a positive number; the engine computes in float32/],
    ['clip range that overflows float32', (j) => ((j.network.encoder.clipSigmas = 1e30), (j.network.encoder.std = 1e20)), /network\.encoder\.clipSigmas: the clip range mean ± clipSigmas × std overflows float32/],
    ['clip range of width 0 in float32', (j) => ((j.network.encoder.clipSigmas = 1e-30), (j.network.encoder.std = 1e-20)), /network\.encoder\.clipSigmas: the clip range mean ± clipSigmas × std is 0 wide in float32/],
    ['quant step that is 0 in float32', (j) => (j.network.layers[1].ann = { kind: 'quant', step: 1e-50, levels: 4 }), /network\.layers\[1\]\.ann\.step: must be a positive number; the engine computes in float32/],
    ['quant activation whose top overflows', (j) => (j.network.layers[1].ann = { kind: 'quant', step: 3e38, levels: 4 }), /network\.layers\[1\]\.ann\.step: step × \(levels − 1\) = Infinity in float32/],
    ['levels of 2^31', (j) => (j.network.layers[1].levels = 2 ** 31), /network\.layers\[1\]\.levels: must be an integer in \[2, 65536\], got 2147483648/],
    ['beta that is 0 in float32', (j) => (j.network.layers[1].beta = 1e-50), /network\.layers\[1\]\.beta: must be in \(0, 1\]; the engine computes in float32/],
    ['initial potential that overflows', (j) => ((j.network.layers[1].vThreshold = [1e38]), (j.network.layers[1].vInitFraction = 10)), /network\.layers\[1\]\.vInitFraction: vInitFraction × vThreshold = Infinity in float32/],
    ['mean that is infinite in float32', (j) => (j.network.encoder.mean = -1e39), /network\.encoder\.mean: must be a finite number; the engine computes in float32/],
  ];
  for (const [label, edit, message] of float32Cases) it(`float32: ${label}`, () => expect(errorAfter(edit)).toMatch(message));

  const sizeCases: [string, (json: any) => void, RegExp][] = [
    ['embeddingDim', (j) => (j.network.encoder.embeddingDim = 1e9), /network\.encoder\.embeddingDim: must be an integer in \[1, 16384\], got 1000000000/],
    ['filters', (j) => (j.network.layers[0].filters = 2 ** 31), /network\.layers\[0\]\.filters: must be an integer in \[1, 16384\]/],
    ['filters × widths', (j) => (j.network.layers[0].filters = 10_000), /network\.layers\[0\]\.filters: 2 widths × 10000 filters = 20000 channels; the limit is 16384/],
    ['conv width', (j) => (j.network.layers[0].widths = [2, 5000]), /network\.layers\[0\]\.widths\[1\]: must be an integer in \[1, 1024\], got 5000/],
    ['number of widths', (j) => (j.network.layers[0].widths = Array.from({ length: 100_000 }, (_, i) => i + 1)), /network\.layers\[0\]\.widths: holds 100000 widths/],
    ['minLength', (j) => (j.network.encoder.minLength = 1e7), /network\.encoder\.minLength: must be an integer in \[1, 1024\]/],
    ['outFeatures', (j) => (j.network.layers[4].outFeatures = 1e8), /network\.layers\[4\]\.outFeatures: must be an integer in \[1, 16384\]/],
    ['population', (j) => (j.network.readout.population = 1e8), /network\.readout\.population: must be an integer in \[1, 16384\]/],
    ['numSteps', (j) => (j.numSteps = 1e6), /numSteps: must be an integer in \[1, 1000\]/],
    ['layers', (j) => (j.network.layers = Array.from({ length: 300 }, () => j.network.layers[1])), /network\.layers: holds 300 layers; the limit is 256/],
    ['inputs', (j) => (j.network.layers[1].inputs = new Array(1000).fill('conv')), /network\.layers\[1\]\.inputs: names 1000 inputs; a layer reads at most 256/],
  ];
  for (const [label, edit, message] of sizeCases) it(`size bound: ${label}`, () => expect(errorAfter(edit)).toMatch(message));

  it('a hidden size bound is checked before the recurrent layer allocates', () => {
    const message = errorAfter((j) => {
      j.network.layers.splice(4, 2, { kind: 'recurrent', name: 'rnn', inFeatures: 8, hidden: 2 ** 30, bias: false, neuron: j.network.layers[1] });
    });
    expect(message).toMatch(/network\.layers\[4\]\.hidden: must be an integer in \[1, 16384\]/);
  });

  it('a concatenation of too many channels is refused before its shape is built', () => {
    const message = errorAfter((j) => {
      j.network.encoder.embeddingDim = 16384;
      j.network.layers[0] = { kind: 'concat', name: 'cat', inputs: ['input', 'input'] };
    });
    expect(message).toMatch(/network\.layers\[0\]\.inputs: its inputs hold 32768 channels together; the limit is 16384/);
  });

  it('the shipped models are within every bound', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const folders = readdirSync('public/models', { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.length).toBeGreaterThan(0);
    for (const folder of folders) {
      const dir = `public/models/${folder.name}`;
      const bytes = readFileSync(`${dir}/weights.safetensors`);
      expect(() => parseModel(readFileSync(`${dir}/model.json`, 'utf8'), new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)), dir).not.toThrow();
    }
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseModel('{"format": ', saved().weightBytes)).toThrow(/^model\.json: is not valid JSON/);
  });
});

describe('weights.safetensors validation', () => {
  it('reports a missing layer tensor with the shape it needs', () => {
    const bytes = weightsAfter((t) => t.delete('conv.w3'));
    expect(errorAfter(() => {}, bytes)).toBe('weights.safetensors: tensor "conv.w3" is missing; network.layers[0] (conv "conv") needs it with shape [4, 3, 6]');
  });

  it('reports a wrong shape', () => {
    const bytes = weightsAfter((t) => t.set('fc.weight', { dtype: 'F32', shape: [8, 2], data: new Float32Array(16) }));
    expect(errorAfter(() => {}, bytes)).toMatch(/tensor "fc\.weight" has shape \[8, 2\] but network\.layers\[4\] \(linear "fc"\) needs \[2, 8\]/);
  });

  it('reports an embedding whose rows do not match the vocabulary', () => {
    expect(errorAfter((j) => j.vocabulary.push('extra'))).toMatch(/tensor "embedding" has shape \[10, 6\] but the vocabulary has 11 words .* must be \[11, 6\]/);
  });

  it('reports a quantised layer tensor, NaN weights and unknown tensors', () => {
    expect(errorAfter(() => {}, weightsAfter((t) => t.set('fc.weight', { dtype: 'I8', shape: [2, 8], data: new Int8Array(16) })))).toMatch(/"fc\.weight" is I8; layer weights must be F32 or F16/);
    expect(errorAfter(() => {}, weightsAfter((t) => (t.get('conv.w2')!.data[5] = NaN)))).toMatch(/tensor "conv\.w2" holds NaN at element 5/);
    expect(errorAfter(() => {}, weightsAfter((t) => t.set('stray', { dtype: 'F32', shape: [1], data: new Float32Array(1) })))).toMatch(/tensor "stray" is not used by the network/);
  });

  it('reports weights that would overflow float32 and an embedding scale that overflows when dequantised', () => {
    expect(errorAfter(() => {}, weightsAfter((t) => (t.get('fc.weight')!.data[3] = 3e38)))).toMatch(/^weights\.safetensors: tensor "fc\.weight" holds 3\.\d+e\+38 at element 3; weights must be within ±1e\+20/);
    const quantised = saved({ embeddingDtype: 'U8' });
    const json = JSON.parse(quantised.configText);
    json.embedding.quantScale = 1e37;
    expect(() => parseModel(JSON.stringify(json), quantised.weightBytes)).toThrow(/^model\.json: embedding\.quantScale: \(q − quantZero\) · quantScale is -?Infinity in float32/);
  });

  it('a weight file with thousands of aliased extra tensors fails on its header, before any tensor is decoded', () => {
    const model = saved();
    const header = JSON.parse(new TextDecoder().decode(model.weightBytes.subarray(8, 8 + new DataView(model.weightBytes.buffer).getUint32(0, true))));
    for (let i = 0; i < 12_000; i++) header[`alias${i}`] = { ...header['fc.weight'] };
    const text = new TextEncoder().encode(JSON.stringify(header));
    const data = model.weightBytes.subarray(8 + new DataView(model.weightBytes.buffer).getUint32(0, true));
    const file = new Uint8Array(8 + text.length + data.length);
    new DataView(file.buffer).setUint32(0, text.length, true);
    file.set(text, 8);
    file.set(data, 8 + text.length);
    const message = errorAfter(() => {}, file);
    expect(message).toMatch(/^weights\.safetensors: tensor ".+": its data \[\d+, \d+\] overlaps tensor ".+"/);
    expect(message).not.toMatch(/\n/);
  });

  it('reports a quantised embedding without its scale', () => {
    const quantised = saved({ embeddingDtype: 'I8' });
    const json = JSON.parse(quantised.configText);
    delete json.embedding.quantScale;
    expect(() => parseModel(JSON.stringify(json), quantised.weightBytes)).toThrow(/embedding\.quantScale and embedding\.quantZero must both be given/);
  });

  it('reports a truncated weight file', () => {
    const bytes = saved().weightBytes;
    expect(() => parseModel(saved().configText, bytes.subarray(0, bytes.length - 3))).toThrow(/^weights\.safetensors: tensor ".*": data_offsets .* run past/);
  });

  it('lists the tensors a network needs', () => {
    const { config } = makeRandomTextCnn({ ...base, bias: true });
    expect(expectedLayerTensors(config.network).map((t) => `${t.name}:${t.shape.join('x')}`)).toEqual(['conv.w2:4x2x6', 'conv.b2:4', 'conv.w3:4x3x6', 'conv.b3:4', 'fc.weight:2x8', 'fc.bias:2']);
  });

  it('refuses to serialise an invalid model', () => {
    const { config, weights } = makeRandomTextCnn(base);
    weights.delete('fc.weight');
    expect(() => serializeModel(config, weights)).toThrow(/tensor "fc\.weight" is missing/);
    expect(() => serializeModel({ ...config, numSteps: -1 }, makeRandomTextCnn(base).weights)).toThrow(/numSteps: must be an integer in \[1, 1000\]/);
  });
});
