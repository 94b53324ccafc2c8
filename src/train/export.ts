/**
 * Trained ANN parameters → a Spikescope model folder (config and weights). The network is the one
 * of architecture §2.1 with its ANN twin; how the neurons are set (thresholds, neuron model, encoding) is
 * the conversion, chosen by the method:
 *  - `lv-if`: integrate-and-fire neurons with balanced thresholds, rate-encoded input (Lv et al.);
 *  - `su-bif`: bipolar integrate-and-fire neurons with the quantiser's step, analog input presented
 *    once (Su et al.), see `bif.ts`.
 */
import type { ModelConfig } from '../model/format';
import type { TensorRecord } from '../model/safetensors';
import { splitConvWeights } from '../layers/conv';
import type { ConvLayerSpec, EncodingKind, LayerSpec, NeuronLayerSpec } from '../model/spec';
import type { PreparedVocabulary } from './prepare';
import type { TextCnnConfig, TextCnnParameters } from './textcnn';

/** How the model was made, for its card. */
export interface ModelProvenance {
  name: string;
  description: string;
  command: string;
  dataset: string;
  split: string;
  seed: number;
  notes: string;
}

/**
 * An IF neuron layer (soft reset) whose ANN twin is `ann`. It starts at v = θ/2, so that its spike
 * count over T steps rounds T·x/θ instead of flooring it (Rueckauer et al. 2017): from v = 0 every
 * neuron under-counts by up to one spike, a bias the classifier turns into a preference for one class.
 */
export function ifLayer(name: string, vThreshold: number, ann: NeuronLayerSpec['ann']): NeuronLayerSpec {
  return { kind: 'neuron', name, model: 'IF', reset: 'soft', vThreshold: [vThreshold], beta: 1, vReset: 0, vInitFraction: 0.5, levels: 2, ann };
}

/**
 * The convolution layer of a config. Its input has one component more than the trained table: the
 * *presence* component, 1 for every known word and 0 for silent tokens (see `textcnn.ts`).
 */
export function convLayer(config: TextCnnConfig): ConvLayerSpec {
  return { kind: 'conv', name: 'conv', inChannels: config.dim + 1, widths: [...config.widths], filters: config.filters, bias: false };
}

/**
 * The model's per-branch convolution tensors `[filters][width][dim + 1]` from the trained,
 * concatenated `[branch][filters][width][dim]` ones: the weights on p, then the presence weight
 * `−c · Σ_d W[f][i][d]` (c = `config.centre`), so that `Σ_d W·p + w_presence = Σ_d W·(p − c)` for a known word.
 */
export function convTensors(config: TextCnnConfig, convWeight: Float32Array): Map<string, Float32Array> {
  const D = config.dim;
  const trained = splitConvWeights({ ...convLayer(config), inChannels: D }, convWeight);
  const out = new Map<string, Float32Array>();
  for (const [name, source] of trained) {
    const tensor = new Float32Array((source.length / D) * (D + 1));
    for (let row = 0; row < source.length / D; row++) {
      const weights = source.subarray(row * D, (row + 1) * D);
      tensor.set(weights, row * (D + 1));
      let sum = 0;
      for (const w of weights) sum += w;
      tensor[row * (D + 1) + D] = -config.centre * sum;
    }
    out.set(name, tensor);
  }
  return out;
}

/** Appends the presence column (`value` in every row) to a `[rows][dim]` table. */
function withPresence<A extends Int8Array | Uint8Array>(table: A, rows: number, dim: number, value: number, make: (length: number) => A): A {
  const out = make(rows * (dim + 1));
  for (let r = 0; r < rows; r++) {
    out.set(table.subarray(r * dim, (r + 1) * dim), r * (dim + 1));
    out[r * (dim + 1) + dim] = value;
  }
  return out;
}

/**
 * The embedding tensor `[vocab][dim + 1]` and its config entry: GloVe as I8, a learned table as U8
 * on [0, 1]; the last column is the presence component, stored at the top of the range so that its
 * firing probability is 1.
 */
export function embeddingTensor(prepared: PreparedVocabulary, centredTable: Float32Array, centre: number): { record: TensorRecord | Float32Array; config: ModelConfig['embedding'] } {
  const rows = prepared.vocabulary.size;
  const dim = prepared.dim;
  const base = { source: `${prepared.source} + presence component`, tensor: 'embedding', statsSource: prepared.statsSource };
  if (prepared.stored) {
    const { dtype } = prepared.stored;
    const data =
      dtype === 'I8'
        ? withPresence(prepared.stored.data as Int8Array, rows, dim, 127, (n) => new Int8Array(n))
        : withPresence(prepared.stored.data as Uint8Array, rows, dim, 255, (n) => new Uint8Array(n));
    return {
      record: { dtype, shape: [rows, dim + 1], data },
      config: { ...base, quantScale: prepared.stored.quantScale, quantZero: prepared.stored.quantZero },
    };
  }
  // A learned table lives in [0, 1] (the trainer keeps it centred): 8 bits over exactly that range.
  const quantised = Uint8Array.from(centredTable, (x) => Math.round(Math.min(1, Math.max(0, x + centre)) * 255));
  const data = withPresence(quantised, rows, dim, 255, (n) => new Uint8Array(n));
  return { record: { dtype: 'U8', shape: [rows, dim + 1], data }, config: { ...base, quantScale: 1 / 255, quantZero: 0 } };
}

/** Everything a model folder needs besides the layers: the common part of the config. */
export function modelConfig(args: {
  prepared: PreparedVocabulary;
  /** The table's dimension (without the presence component) and the padded minimum length. */
  config: Pick<TextCnnConfig, 'dim' | 'minLength'>;
  layers: LayerSpec[];
  classes: string[];
  encoding: EncodingKind;
  clipSigmas: number;
  numSteps: number;
  seed: number;
  embedding: ModelConfig['embedding'];
  provenance: ModelProvenance;
  metrics: Record<string, unknown>;
}): ModelConfig {
  const { prepared, config, provenance } = args;
  return {
    format: 'spikescope-model',
    version: 1,
    name: provenance.name,
    description: provenance.description,
    language: prepared.language ?? (prepared.tokenizer === 'chinese' ? 'zh' : 'en'),
    tokenizer: prepared.tokenizer,
    network: {
      encoder: {
        kind: args.encoding,
        embeddingDim: config.dim + 1,
        mean: prepared.mean,
        std: prepared.std,
        clipSigmas: args.clipSigmas,
        ...(prepared.clipLowSigmas !== prepared.clipSigmas ? { clipLowSigmas: prepared.clipLowSigmas } : {}),
        ...(prepared.binarySigmas !== undefined ? { binarySigmas: prepared.binarySigmas } : {}),
        minLength: config.minLength,
      },
      layers: args.layers,
      readout: { classes: [...args.classes], population: 1 },
    },
    vocabulary: [...prepared.vocabulary.words],
    embedding: args.embedding,
    numSteps: args.numSteps,
    defaultEncoding: args.encoding,
    seed: args.seed,
    provenance: { command: provenance.command, createdAt: new Date().toISOString(), dataset: provenance.dataset, split: provenance.split, seed: provenance.seed, notes: provenance.notes },
    metrics: args.metrics,
  };
}

/**
 * The classifier with its rows centred across classes, `W'_k = W_k − mean_j W_j`: every logit moves
 * by the same amount, so the softmax and the ANN's decision are unchanged, but the logits now sum to
 * zero, so only the winning classes get a positive current and spike. Without it a bias-free
 * classifier may give every class a large positive logit (only differences are trained), and the
 * output neurons all saturate and tie.
 */
export function centreClasses(fcWeight: Float32Array, classes: number): Float32Array {
  const features = fcWeight.length / classes;
  const out = new Float32Array(fcWeight.length);
  for (let c = 0; c < features; c++) {
    let mean = 0;
    for (let k = 0; k < classes; k++) mean += fcWeight[k * features + c] / classes;
    for (let k = 0; k < classes; k++) out[k * features + c] = fcWeight[k * features + c] - mean;
  }
  return out;
}

/** Balanced thresholds of the three IF layers, from the ANN's activation percentiles λ1, λ2, λ3. */
export interface IfThresholds {
  conv: number;
  pooled: number;
  logits: number;
}

/**
 * The Lv et al. conversion: the same weights, IF neurons after the convolution, the pool and the
 * classifier, thresholds θ1 = λ1, θ2 = λ2 / λ1, θ3 = λ3 / λ2 (a spike of layer l stands for λ_l of
 * ANN activation), rate-encoded input.
 */
export function lvIfModel(args: {
  prepared: PreparedVocabulary;
  config: TextCnnConfig;
  parameters: TextCnnParameters;
  classes: string[];
  lambdas: IfThresholds;
  numSteps: number;
  seed: number;
  provenance: ModelProvenance;
  metrics: Record<string, unknown>;
  /** The percentiles the λ came from, for the card. */
  percentiles?: Record<string, number>;
  /** The stored embedding to reuse (when re-converting a model), instead of building it. */
  embedding?: { record: TensorRecord | Float32Array; config: ModelConfig['embedding'] };
}): { config: ModelConfig; weights: Map<string, Float32Array | TensorRecord> } {
  const { prepared, config, parameters, lambdas } = args;
  const features = config.widths.length * config.filters;
  const layers: LayerSpec[] = [
    convLayer(config),
    ifLayer('conv_spike', lambdas.conv, { kind: 'relu' }),
    { kind: 'pool', name: 'pool', mode: config.pool },
    ifLayer('pool_spike', lambdas.pooled / lambdas.conv, { kind: 'relu' }),
    { kind: 'linear', name: 'fc', inFeatures: features, outFeatures: config.classes, bias: false },
    ifLayer('fc_spike', lambdas.logits / lambdas.pooled, { kind: 'identity' }),
  ];
  const weights = new Map<string, Float32Array | TensorRecord>(convTensors(config, parameters.convWeight));
  weights.set('fc.weight', centreClasses(parameters.fcWeight, config.classes));
  const embedding = args.embedding ?? embeddingTensor(prepared, parameters.table, config.centre);
  weights.set('embedding', embedding.record);
  const metrics = { ...args.metrics, conversion: { method: 'lv-if', centre: config.centre, lambdas, percentiles: args.percentiles } };
  const modelConfigValue = modelConfig({ ...args, metrics, layers, encoding: 'rate', clipSigmas: prepared.clipSigmas, embedding: embedding.config });
  return { config: modelConfigValue, weights };
}
