/**
 * Small valid models with deterministic random weights, for the benchmark network, engine tests,
 * CLI smoke runs and format tests: the spiking TextCNN of architecture §2.1,
 * encoder → conv(widths) → neuron → avg pool → neuron → linear → neuron (the output).
 * Every number comes from `hashU32` streams keyed by the seed and the tensor's name, so the same
 * options give the same bytes on every machine.
 */
import { embeddingStatistics } from './encoding';
import { quantizeTable } from './format';
import type { ModelConfig } from './format';
import { randomUniformTensor } from './random-tensor';
import { floatToHalf, halfToFloat } from './safetensors';
import type { TensorRecord } from './safetensors';
import { convBiasName, convWeightName } from './spec';
import type { AnnActivation, ConvLayerSpec, EncodingKind, LayerSpec, NeuronLayerSpec, NeuronModel, ResetMode } from './spec';
import type { TokenizerKind } from './tokenizer';

/** What to build; only the first six fields are required. */
export interface RandomTextCnnOptions {
  vocabulary: string[];
  /** Embedding dimension D. */
  dim: number;
  widths: number[];
  /** Filters per width. */
  filters: number;
  classes: string[];
  seed: number;
  /** Output neurons per class (default 1). */
  population?: number;
  /** Biases on the convolution and the linear layer (default false, as in the paper). */
  bias?: boolean;
  /** Neuron model of all three neuron layers (default IF). BIF layers get a quantised ANN twin. */
  neuronModel?: NeuronModel;
  reset?: ResetMode;
  /** Threshold of every neuron (default 1). */
  vThreshold?: number;
  /** LIF retention (default 0.9 for LIF, 1 otherwise). */
  beta?: number;
  /** BIF spike-count bound / quantisation levels (default 8). */
  levels?: number;
  encoding?: EncodingKind;
  numSteps?: number;
  /** Padded length (default: the widest width, the least that gives every branch a position). */
  minLength?: number;
  clipSigmas?: number;
  /** Multiplies the default weight range ±sqrt(3 / fanIn) (default 2). */
  weightScale?: number;
  /** How the embedding is stored (default F32). */
  embeddingDtype?: 'F32' | 'F16' | 'I8' | 'U8';
  tokenizer?: TokenizerKind;
  name?: string;
}

function neuronLayer(name: string, options: RandomTextCnnOptions, output: boolean): NeuronLayerSpec {
  const model = options.neuronModel ?? 'IF';
  const vThreshold = options.vThreshold ?? 1;
  const levels = options.levels ?? 8;
  const ann: AnnActivation = model === 'BIF' ? { kind: 'quant', step: vThreshold, levels } : output ? { kind: 'identity' } : { kind: 'relu' };
  return {
    kind: 'neuron',
    name,
    model,
    reset: options.reset ?? 'soft',
    vThreshold: [vThreshold],
    beta: options.beta ?? (model === 'LIF' ? 0.9 : 1),
    vReset: 0,
    vInitFraction: model === 'BIF' ? 0.5 : 0,
    levels: model === 'BIF' ? levels : 2,
    ann,
  };
}

/**
 * A valid TextCNN model (config and weights, ready for `serializeModel` / `saveModelDir`) with
 * deterministic random weights: embedding uniform in [−1, 1), weights uniform in
 * ±weightScale·sqrt(3 / fanIn), biases in ±0.1. The encoder's mean and std are the embedding's own.
 */
export function makeRandomTextCnn(options: RandomTextCnnOptions): { config: ModelConfig; weights: Map<string, Float32Array | TensorRecord> } {
  const { vocabulary, dim, widths, filters, classes, seed } = options;
  const population = options.population ?? 1;
  const bias = options.bias ?? false;
  const weightScale = options.weightScale ?? 2;
  const conv: ConvLayerSpec = { kind: 'conv', name: 'conv', inChannels: dim, widths: [...widths], filters, bias };
  const features = widths.length * filters;
  const outputs = classes.length * population;
  const layers: LayerSpec[] = [
    conv,
    neuronLayer('conv_spike', options, false),
    { kind: 'pool', name: 'pool', mode: 'avg' },
    neuronLayer('pool_spike', options, false),
    { kind: 'linear', name: 'fc', inFeatures: features, outFeatures: outputs, bias },
    neuronLayer('fc_spike', options, true),
  ];
  const weights = new Map<string, Float32Array | TensorRecord>();
  const uniform = (name: string, count: number, range: number): Float32Array => randomUniformTensor(seed, name, count, -range, range);
  widths.forEach((width, branch) => {
    const fanIn = width * dim;
    weights.set(convWeightName(conv, branch), uniform(convWeightName(conv, branch), filters * fanIn, weightScale * Math.sqrt(3 / fanIn)));
    if (bias) weights.set(convBiasName(conv, branch), uniform(convBiasName(conv, branch), filters, 0.1));
  });
  weights.set('fc.weight', uniform('fc.weight', outputs * features, weightScale * Math.sqrt(3 / features)));
  if (bias) weights.set('fc.bias', uniform('fc.bias', outputs, 0.1));

  const embedding = uniform('embedding', vocabulary.length * dim, 1);
  const embeddingDtype = options.embeddingDtype ?? 'F32';
  const embeddingConfig: ModelConfig['embedding'] = { source: 'random', tensor: 'embedding', statsSource: 'this random table' };
  let stored: Float32Array = embedding;
  if (embeddingDtype === 'I8' || embeddingDtype === 'U8') {
    const quantized = quantizeTable(embedding, embeddingDtype);
    weights.set('embedding', { dtype: embeddingDtype, shape: [vocabulary.length, dim], data: quantized.data });
    embeddingConfig.quantScale = quantized.quantScale;
    embeddingConfig.quantZero = quantized.quantZero;
    stored = Float32Array.from(quantized.data, (q) => (q - quantized.quantZero) * quantized.quantScale);
  } else if (embeddingDtype === 'F16') {
    weights.set('embedding', { dtype: 'F16', shape: [vocabulary.length, dim], data: embedding });
    stored = embedding.map((value) => halfToFloat(floatToHalf(value)));
  } else {
    weights.set('embedding', embedding);
  }
  const { mean, std } = embeddingStatistics(stored);
  const encoding = options.encoding ?? 'rate';
  const tokenizer = options.tokenizer ?? 'english';
  const config: ModelConfig = {
    format: 'spikescope-model',
    version: 1,
    name: options.name ?? 'random TextCNN',
    description: `Random spiking TextCNN for tests: widths ${widths.join(',')}, ${filters} filters, ${classes.length} classes.`,
    language: tokenizer === 'chinese' ? 'zh' : 'en',
    tokenizer,
    network: {
      encoder: { kind: encoding, embeddingDim: dim, mean, std: std > 0 ? std : 1, clipSigmas: options.clipSigmas ?? 3, minLength: options.minLength ?? Math.max(...widths) },
      layers,
      readout: { classes: [...classes], population },
    },
    vocabulary: [...vocabulary],
    embedding: embeddingConfig,
    numSteps: options.numSteps ?? 8,
    defaultEncoding: encoding,
    seed,
    provenance: { command: 'makeRandomTextCnn', createdAt: '1970-01-01T00:00:00.000Z', dataset: 'none', split: 'none', seed, notes: 'random weights, not trained' },
    metrics: {},
  };
  return { config, weights };
}

export { randomUniformTensor };
