/**
 * The Spikescope model folder: `model.json` (a `ModelConfig`) and `weights.safetensors`, nothing
 * else. The config says what the network is, how text becomes tokens and rows, how the model was
 * made and what it scored; the weight file holds the embedding table and every layer's weights.
 *
 * Weight tensors, float32 (stored F32 or F16), named from the layer names of `network`:
 *  - conv: `convWeightName(layer, branch)` `[filters][width][inChannels]`, plus
 *    `convBiasName(layer, branch)` `[filters]` when `bias`;
 *  - linear: `${name}.weight` `[outFeatures][inFeatures]`, plus `${name}.bias` `[outFeatures]`;
 *  - recurrent: `${name}.inputWeight` `[hidden][inFeatures]`, `${name}.recurrentWeight`
 *    `[hidden][hidden]`, plus `${name}.bias` `[hidden]`;
 *  - token-recurrent: `${name}.recurrentWeight` `[hidden][hidden]` (its input weights are the
 *    convolution's before it);
 *  - the embedding `embedding.tensor` `[vocabulary.length][encoder.embeddingDim]`: F32 or F16, or
 *    I8 / U8 with `embedding.quantScale` and `embedding.quantZero`, value = (q − zero) · scale, so
 *    a 65k-word 100-d table fits in 6.5 MB.
 * Loading validates every field and tensor and fails on the first problem with a
 * `ModelFormatError` that names it (see config-validation.ts).
 */
import { validateConfig } from './config-validation';
import { checkDepth } from './json-checks';
import { firingProbabilities } from './encoding';
import { clip, quoteName } from './describe-value';
import { decodeTensors, ModelFormatError, readSafetensorsIndex, shapeSize, writeSafetensors } from './safetensors';
import type { SafetensorsDtype, TensorEntry, TensorRecord } from './safetensors';
import { networkGraph } from '../layers/graph';
import type { EncodingKind, NetworkSpec } from './spec';
import type { TokenizerKind } from './tokenizer';
import { Vocabulary } from './vocabulary';

export { ModelFormatError } from './safetensors';

/** The JSON of `model.json`. */
export interface ModelConfig {
  format: 'spikescope-model';
  version: 1;
  /** Short name shown in the UI, e.g. "SST-2 spiking TextCNN". */
  name: string;
  description: string;
  language: 'en' | 'zh';
  tokenizer: TokenizerKind;
  network: NetworkSpec;
  /** `vocabulary[id]` is the word of embedding row `id`; words are unique. */
  vocabulary: string[];
  embedding: {
    /** Where the vectors came from: `glove.6B.100d`, or `learned` (trained with the model). */
    source: string;
    /** Name of the `[vocabulary][embeddingDim]` tensor in the weight file. */
    tensor: string;
    /** Which table the encoder's mean and std were computed over (e.g. `glove.6B.100d full 400k`). */
    statsSource: string;
    /** I8 / U8 embedding only: value = (q − quantZero) · quantScale. */
    quantScale?: number;
    quantZero?: number;
  };
  /** Default number of time steps T. */
  numSteps: number;
  /** The encoding the app starts with (the network's `encoder.kind` is what it was trained with). */
  defaultEncoding: EncodingKind;
  /** Default seed of the rate encoder's randomness (u32). */
  seed: number;
  /** How the model was made, so a reader can make it again. */
  provenance: { command: string; createdAt: string; dataset: string; split: string; seed: number; notes: string };
  /** Evaluation results, free-form (e.g. `{ "sst2.test.accuracy": 0.81 }`). */
  metrics: Record<string, unknown>;
}

/** A model ready for the engine: validated config, float32 weights and the encoder's tables. */
export interface LoadedModel {
  config: ModelConfig;
  /** `config.network`. */
  spec: NetworkSpec;
  /** Every layer tensor by name, float32 (the embedding is in `embeddings`, not here). */
  weights: Map<string, Float32Array>;
  /** `[vocabulary][embeddingDim]`, dequantised. */
  embeddings: Float32Array;
  /** `[vocabulary][embeddingDim]` firing probabilities (architecture §1.2) from the encoder's mean, std, clipSigmas. */
  probabilities: Float32Array;
  vocabulary: Vocabulary;
}

/** A layer tensor the network needs: its name, shape and the layer that uses it (for messages). */
export interface ExpectedTensor {
  name: string;
  shape: number[];
  layerIndex: number;
}

/** The layer tensors a network needs, in layer order (the embedding is not included). */
export function expectedLayerTensors(spec: NetworkSpec): ExpectedTensor[] {
  const graph = networkGraph(spec);
  return graph.nodes.flatMap((node) =>
    node.module.tensors(node.spec, node.inputs.map((source) => (source < 0 ? graph.input : graph.nodes[source].shape))).map((tensor) => ({ ...tensor, layerIndex: node.index })),
  );
}

const WEIGHTS_FILE = 'weights.safetensors';

function failWeights(problem: string): never {
  throw new ModelFormatError(`${WEIGHTS_FILE}: ${problem}`);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((extent, i) => extent === b[i]);
}

/**
 * Largest magnitude of a layer weight. Trained weights are within ±100; with the size limits of
 * model.json, weights within this bound cannot overflow float32 in one layer's sum over its inputs
 * and T steps, while weights near float32's limit (3e38) would, silently.
 */
export const MAX_WEIGHT_MAGNITUDE = 1e20;

function checkValues(name: string, values: Float32Array, bound: number): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) failWeights(`tensor ${quoteName(name)} holds ${value} at element ${i}; weights must be finite: retrain or re-export the model`);
    if (Math.abs(value) > Math.fround(bound)) failWeights(`tensor ${quoteName(name)} holds ${value} at element ${i}; weights must be within ±${bound.toExponential()}, or the network's sums overflow float32: retrain or re-export the model`);
  }
}

/**
 * Parses and validates a model from the text of `model.json` and the bytes of
 * `weights.safetensors`; throws `ModelFormatError` naming the first problem. The weight file's
 * header is validated as a whole before any tensor is read, and only the tensors the network
 * uses are decoded.
 */
export function parseModel(configText: string, weightBytes: Uint8Array): LoadedModel {
  const config = validateConfig(parseConfigJson(configText));
  const spec = config.network;
  const index = readSafetensorsIndex(weightBytes, WEIGHTS_FILE);
  const expectedTensors = expectedLayerTensors(spec);
  for (const expected of expectedTensors) {
    const layer = spec.layers[expected.layerIndex];
    const user = `network.layers[${expected.layerIndex}] (${layer.kind} ${quoteName(layer.name)})`;
    const entry = index.entries.get(expected.name);
    if (entry === undefined) failWeights(`tensor ${quoteName(expected.name)} is missing; ${user} needs it with shape [${expected.shape.join(', ')}]`);
    if (entry.dtype !== 'F32' && entry.dtype !== 'F16') failWeights(`tensor ${quoteName(expected.name)} is ${entry.dtype}; layer weights must be F32 or F16 (only the embedding may be quantised)`);
    if (!sameShape(entry.shape, expected.shape)) {
      failWeights(`tensor ${quoteName(expected.name)} has shape [${entry.shape.join(', ')}] but ${user} needs [${expected.shape.join(', ')}]`);
    }
  }
  checkEmbeddingEntry(config, index.entries.get(config.embedding.tensor));
  const used = new Set([...expectedTensors.map((tensor) => tensor.name), config.embedding.tensor]);
  for (const name of index.entries.keys()) {
    if (!used.has(name)) failWeights(`tensor ${quoteName(name)} is not used by the network; remove it or fix its name`);
  }
  const tensors = decodeTensors(weightBytes, index, WEIGHTS_FILE, used);
  const weights = new Map<string, Float32Array>();
  for (const expected of expectedTensors) {
    const data = tensors.get(expected.name)!.data as Float32Array;
    checkValues(expected.name, data, MAX_WEIGHT_MAGNITUDE);
    weights.set(expected.name, data);
  }
  const embeddings = readEmbedding(config, tensors.get(config.embedding.tensor)!);
  const { embeddingDim, mean, std, clipSigmas, clipLowSigmas, binarySigmas } = spec.encoder;
  return {
    config,
    spec,
    weights,
    embeddings,
    probabilities: firingProbabilities(embeddings, embeddingDim, mean, std, clipSigmas, clipLowSigmas, binarySigmas),
    vocabulary: new Vocabulary(config.vocabulary),
  };
}

/** The JSON of model.json, or a one-line error. */
function parseConfigJson(configText: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(configText);
  } catch (error) {
    throw new ModelFormatError(`model.json: is not valid JSON (${clip((error as Error).message, 120)}); fix the file or export the model again`);
  }
  checkDepth(json);
  return json;
}

/** The embedding tensor's presence, shape and dtype against model.json (before its data is read). */
function checkEmbeddingEntry(config: ModelConfig, entry: TensorEntry | undefined): asserts entry is TensorEntry {
  const { tensor: name, quantScale, quantZero } = config.embedding;
  const rows = config.vocabulary.length;
  const dim = config.network.encoder.embeddingDim;
  if (entry === undefined) failWeights(`tensor ${quoteName(name)} (embedding.tensor in model.json) is missing; it must hold the [${rows}, ${dim}] embedding table`);
  if (!sameShape(entry.shape, [rows, dim])) {
    failWeights(`tensor ${quoteName(name)} has shape [${entry.shape.join(', ')}] but the vocabulary has ${rows} words and network.encoder.embeddingDim is ${dim}; it must be [${rows}, ${dim}]`);
  }
  if (entry.dtype === 'F32' || entry.dtype === 'F16') {
    if (quantScale !== undefined || quantZero !== undefined) {
      throw new ModelFormatError(`model.json: embedding.quantScale: only an I8 or U8 embedding is quantised, and tensor ${quoteName(name)} is ${entry.dtype}; remove quantScale and quantZero`);
    }
  } else if (quantScale === undefined || quantZero === undefined) {
    throw new ModelFormatError(`model.json: embedding.quantScale: tensor ${quoteName(name)} is ${entry.dtype}, so embedding.quantScale and embedding.quantZero must both be given`);
  }
}

/** The embedding table as float32 values, dequantised from I8 / U8 if stored so; every value finite. */
function readEmbedding(config: ModelConfig, tensor: TensorRecord): Float32Array {
  const { tensor: name, quantScale, quantZero } = config.embedding;
  if (tensor.dtype === 'F32' || tensor.dtype === 'F16') {
    checkValues(name, tensor.data as Float32Array, Infinity);
    return tensor.data as Float32Array;
  }
  const out = new Float32Array(tensor.data.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.fround((tensor.data[i] - quantZero!) * quantScale!);
    if (!Number.isFinite(out[i])) {
      throw new ModelFormatError(`model.json: embedding.quantScale: (q − quantZero) · quantScale is ${out[i]} in float32 for element ${i} of tensor ${quoteName(name)}; the scale or zero point is out of range: re-export the model`);
    }
  }
  return out;
}

/** A quantised table: value = (q − quantZero) · quantScale. */
export interface QuantizedTable {
  dtype: 'I8' | 'U8';
  data: Int8Array | Uint8Array;
  quantScale: number;
  quantZero: number;
}

/**
 * Affine 8-bit quantisation of a table over its [min, max] range (256 levels), for shipping a
 * large embedding small. Round-to-nearest; the error per value is at most quantScale / 2.
 */
export function quantizeTable(values: Float32Array, dtype: 'I8' | 'U8'): QuantizedTable {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (values.length === 0) min = max = 0;
  const quantScale = max > min ? (max - min) / 255 : 1;
  const lowest = dtype === 'I8' ? -128 : 0;
  const quantZero = Math.round(lowest - min / quantScale);
  const data = dtype === 'I8' ? new Int8Array(values.length) : new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.min(lowest + 255, Math.max(lowest, Math.round(values[i] / quantScale + quantZero)));
  return { dtype, data, quantScale, quantZero };
}

/**
 * Writes a model: `model.json` text (readable; the vocabulary last, on one line) and the weight
 * file. A plain Float32Array is stored F32 with the shape the network expects for its name; give
 * `{dtype, shape, data}` for F16 or a quantised embedding. The result is parsed back before it is
 * returned, so an invalid model throws `ModelFormatError` here instead of when it is loaded.
 */
export function serializeModel(
  config: ModelConfig,
  weights: Map<string, Float32Array | TensorRecord>,
): { configText: string; weightBytes: Uint8Array } {
  const checked = validateConfig(JSON.parse(JSON.stringify(config)));
  const shapes = new Map(expectedLayerTensors(checked.network).map((tensor) => [tensor.name, tensor.shape]));
  shapes.set(checked.embedding.tensor, [checked.vocabulary.length, checked.network.encoder.embeddingDim]);
  const records = new Map<string, TensorRecord>();
  for (const [name, tensor] of weights) {
    if (!(tensor instanceof Float32Array)) {
      records.set(name, tensor);
      continue;
    }
    const shape = shapes.get(name);
    if (shape === undefined) failWeights(`tensor "${name}" is not used by the network; remove it or fix its name`);
    if (tensor.length !== shapeSize(shape)) failWeights(`tensor "${name}" has ${tensor.length} values but the network needs [${shape.join(', ')}] = ${shapeSize(shape)}`);
    records.set(name, { dtype: 'F32' as SafetensorsDtype, shape, data: tensor });
  }
  const { vocabulary, ...rest } = config;
  const head = JSON.stringify(rest, null, 2);
  const configText = `${head.slice(0, -2)},\n  "vocabulary": ${JSON.stringify(vocabulary)}\n}\n`;
  const weightBytes = writeSafetensors(records, { format: 'spikescope-model' });
  parseModel(configText, weightBytes);
  return { configText, weightBytes };
}
