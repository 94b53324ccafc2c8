/**
 * The lossless conversion of Su et al. (architecture §2.3) for the TextCNN: a network trained with the
 * quantised clip-floor activation `s·clamp(⌊z/s + ½⌋, 0, L − 1)` and sum pooling becomes
 * ```
 * analog p at step 0 → conv (W / s) → BIF (θ = 1, v0 = ½, L levels) → sum pool
 * (binary input, p ∈ {0, 1}: one spike at step 0 for each p = 1, the same values)
 *                    → fc (W·s / s_out, dyadic) → BIF (θ = 1, v0 = ½, L_out levels) → counts
 * ```
 * whose ANN twin is the same network with quantisers of step 1. Every spike count of the SNN then
 * equals the twin's integer activation once the spikes have settled, exactly in float32:
 *  - the convolution of the analog input is the same kernel on the same data in both, so BIF
 *    layer 1 starts from the twin's exact value and its count is ⌊z + ½⌋ clamped;
 *  - spikes are integers and the pool sums them exactly; the classifier's weights are rounded to
 *    multiples of 2^−m, with m small enough that every partial sum of the classifier and every
 *    membrane value of the output layer is exact in float32, whatever the order of the additions.
 * The output quantiser `s_out` is calibrated after training: (99.9th percentile of the largest logit)
 * / (L_out − 1), so the output levels cover the logits the ANN produces.
 *
 * The output layer needs many more levels than the hidden one (`spikescope train` uses L_out = 64):
 * a class whose logit is below s_out/2 gets 0 spikes, so with the two centred logits ±z of a binary
 * task every sentence with |z| < s_out/2 is a 0:0 tie that argmax gives to the first class. With
 * L_out = 8 that dead zone was 1/14 of the logit range (every such sentence called negative); with
 * 64 it is 1/126. The extra levels cost nothing in agreement: the hidden layer's spikes have all
 * arrived by step L − 2, when the winning class fires if it has not yet, and (two centred classes)
 * the losing one, at most L − 2 spikes ahead, has cancelled them by step 2L − 5; so the prediction
 * equals the twin's from T = max(L − 1, 2L − 4) on (4 for L = 4), though the counts themselves settle
 * only after up to L_out more steps.
 */
import type { ModelConfig } from '../model/format';
import type { TensorRecord } from '../model/safetensors';
import type { LayerSpec, NeuronLayerSpec } from '../model/spec';
import type { LayerActivations } from './calibrate';
import { percentile } from './calibrate';
import { centreClasses, convLayer, convTensors, embeddingTensor, modelConfig, type ModelProvenance } from './export';
import type { PreparedVocabulary } from './prepare';
import type { TextCnnConfig, TextCnnParameters } from './textcnn';

/** A BIF neuron layer (θ = 1, v0 = θ/2) whose twin is the quantiser of step 1 with `levels`. */
export function bifLayer(name: string, levels: number): NeuronLayerSpec {
  return { kind: 'neuron', name, model: 'BIF', reset: 'soft', vThreshold: [1], beta: 1, vReset: 0, vInitFraction: 0.5, levels, ann: { kind: 'quant', step: 1, levels } };
}

/**
 * The finest power-of-two grid 2^−m for weights whose dot products with non-negative integer inputs
 * up to `maxInput` stay exact in float32: every partial sum is a multiple of 2^−m below
 * `Σ|w|·maxInput`, which must fit in 23 bits with the grid.
 */
export function dyadicBits(weights: Float32Array, rows: number, maxInput: number): number {
  const columns = weights.length / rows;
  let bound = 1;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < columns; c++) sum += Math.abs(weights[r * columns + c]);
    bound = Math.max(bound, sum * maxInput + 1);
  }
  return Math.max(2, Math.min(20, Math.floor(23 - Math.log2(bound))));
}

export function suBifModel(args: {
  prepared: PreparedVocabulary;
  config: TextCnnConfig;
  parameters: TextCnnParameters;
  classes: string[];
  calibration: LayerActivations;
  outputLevels: number;
  /** Longest sentence the exactness bound must hold for (tokens). */
  maxTokens: number;
  numSteps: number;
  seed: number;
  provenance: ModelProvenance;
  metrics: Record<string, unknown>;
  /**
   * `spikes` (default): BIF output neurons whose counts are the scores. `membrane`: no output
   * neurons; the classifier's currents summed over T are the scores (a non-spiking readout,
   * architecture §2.3), equal to the ANN's logits once the hidden spikes have all arrived (T ≥ L − 1),
   * with no output quantiser and no wait for output counts to settle.
   */
  readout?: 'spikes' | 'membrane';
}): { config: ModelConfig; weights: Map<string, Float32Array | TensorRecord> } {
  const { prepared, config, parameters } = args;
  if (config.hidden.kind !== 'quant' || config.pool !== 'sum') throw new Error('suBifModel needs a network trained with the quantiser and sum pooling');
  const membrane = args.readout === 'membrane';
  const levels = config.hidden.levels;
  const step = parameters.hiddenStep;
  const features = config.widths.length * config.filters;
  const outputStep = membrane ? 1 : Math.max(1e-6, percentile(args.calibration.maxLogits.filter((x) => x > 0), 99.9) / (args.outputLevels - 1));
  const fcScaled = Float32Array.from(centreClasses(parameters.fcWeight, config.classes), (w) => (w * step) / outputStep);
  const bits = dyadicBits(fcScaled, config.classes, (levels - 1) * args.maxTokens);
  const grid = 2 ** bits;
  const fcWeight = Float32Array.from(fcScaled, (w) => Math.round(w * grid) / grid);
  const layers: LayerSpec[] = [
    convLayer(config),
    bifLayer('conv_spike', levels),
    { kind: 'pool', name: 'pool', mode: 'sum' },
    { kind: 'linear', name: 'fc', inFeatures: features, outFeatures: config.classes, bias: false },
    ...(membrane ? [] : [bifLayer('fc_spike', args.outputLevels)]),
  ];
  const weights = new Map<string, Float32Array | TensorRecord>();
  for (const [name, tensor] of convTensors(config, Float32Array.from(parameters.convWeight, (w) => w / step))) weights.set(name, tensor);
  weights.set('fc.weight', fcWeight);
  const embedding = embeddingTensor(prepared, parameters.table, config.centre);
  weights.set('embedding', embedding.record);
  const metrics = { ...args.metrics, conversion: { method: 'su-bif', centre: config.centre, hiddenStep: step, hiddenLevels: levels, ...(membrane ? { readout: 'membrane' } : { outputStep, outputLevels: args.outputLevels }), classifierGridBits: bits } };
  // Binary input is rate-encoded: each component with p = 1 fires one spike at step 0 (p = 0: none),
  // the same values the analog input would present, but counted as spikes.
  const encoding = prepared.binarySigmas !== undefined ? 'rate' : 'direct';
  const modelConfigValue = modelConfig({ ...args, metrics, layers, encoding, clipSigmas: prepared.clipSigmas, embedding: embedding.config });
  modelConfigValue.network.encoder.presentation = 'first-step';
  return { config: modelConfigValue, weights };
}
