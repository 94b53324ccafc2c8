/**
 * The lossless conversion of Su et al. (architecture §2.4) for the quantised RNN of `rnn.ts`: a network
 * trained with the quantiser `s·clamp(⌊u/s + ½⌋, 0, L − 1)` over tokens and a sum over them becomes
 * ```
 * analog p at step 0 → conv (width 1, W / s) → token-recurrent BIF (U, θ = 1, v0 = ½, L levels)
 *                    → sum pool → fc (W·s / s_out, dyadic) → BIF (θ = 1, v0 = ½, L_out levels) → counts
 * ```
 * whose ANN twin is the same network with quantisers of step 1: `n_p = Q1(z_p/s + U·n_{p−1})` with
 * y_p = s·n_p, which is the trained recurrence divided by s (U is unchanged, since it multiplies
 * y_{p−1}/s = n_{p−1}). Every spike count then equals the twin's integer exactly, in float32:
 *  - the width-1 convolution of the analog input is the same kernel on the same data in both;
 *  - U is rounded to multiples of 2^−m with m from `dyadicBits`, so that U·c, with integer counts c
 *    in [0, L − 1], is exact in float32 in any order of the additions (or fused multiply-adds): both
 *    networks compute the same `z + U·c` and the BIF neuron, given it at the first step of its
 *    window from v0 = ½, fires ⌊z + U·c + ½⌋ clamped to [0, L − 1] spikes within L − 1 steps;
 *  - spikes are integers, the pool sums them exactly, and the classifier is dyadic (as in `bif.ts`).
 * The bias of known words is W's last column, which the spiking network gets through the presence
 * input: the presence weight is `(w_bias − c·Σ_d W[h][d]) / s`.
 * Every window's spikes fall on its steps 0 … L − 2 (its whole input arrives at step 0), and the
 * output layout aligns the windows, so the output layer sees what it sees in `bif.ts`: the prediction
 * equals the twin's from T = max(L − 1, 2L − 4) (4 for L = 4), the counts after up to L_out more steps.
 */
import type { ModelConfig } from '../model/format';
import type { TensorRecord } from '../model/safetensors';
import type { LayerSpec } from '../model/spec';
import { percentile } from './calibrate';
import { bifLayer, dyadicBits } from './bif';
import { centreClasses, embeddingTensor, modelConfig, type ModelProvenance } from './export';
import type { PreparedVocabulary } from './prepare';
import type { RnnConfig, RnnParameters } from './rnn';

/** Rounds `weights` to multiples of 2^−bits. */
function toGrid(weights: Float32Array, bits: number): Float32Array {
  const grid = 2 ** bits;
  return Float32Array.from(weights, (w) => Math.round(w * grid) / grid);
}

/**
 * The per-token convolution `[hidden][1][dim + 1]` of the spiking network: W / s on the
 * probabilities, and the presence weight `(w_bias − c·Σ_d W[h][d]) / s`, so that for a known word
 * `Σ_d W·p + w_presence = (Σ_d W·(p − c) + w_bias) / s`, what the ANN computed, divided by s.
 */
export function tokenConvWeight(config: RnnConfig, inputWeight: Float32Array, step: number): Float32Array {
  const D = config.dim;
  const out = new Float32Array(config.hidden * (D + 1));
  for (let h = 0; h < config.hidden; h++) {
    let sum = 0;
    for (let d = 0; d < D; d++) {
      const w = inputWeight[h * (D + 1) + d];
      out[h * (D + 1) + d] = w / step;
      sum += w;
    }
    out[h * (D + 1) + D] = (inputWeight[h * (D + 1) + D] - config.centre * sum) / step;
  }
  return out;
}

/** The spiking model of a trained quantised RNN, its card data included (`metrics.conversion`). */
export function suBifRnnModel(args: {
  prepared: PreparedVocabulary;
  config: RnnConfig;
  parameters: RnnParameters;
  classes: string[];
  /** The largest class-centred logit of each calibration sentence (the ANN's). */
  maxLogits: Float32Array;
  outputLevels: number;
  /** Longest sentence the classifier's exactness bound must hold for (tokens). */
  maxTokens: number;
  numSteps: number;
  seed: number;
  provenance: ModelProvenance;
  metrics: Record<string, unknown>;
}): { config: ModelConfig; weights: Map<string, Float32Array | TensorRecord> } {
  const { prepared, config, parameters } = args;
  if (config.activation.kind !== 'quant') throw new Error('suBifRnnModel needs an RNN trained with the quantiser');
  const levels = config.activation.levels;
  const { step } = parameters;
  const H = config.hidden;
  const recurrentBits = dyadicBits(parameters.recurrentWeight, H, levels - 1);
  const outputStep = Math.max(1e-6, percentile(args.maxLogits.filter((x) => x > 0), 99.9) / (args.outputLevels - 1));
  const fcScaled = Float32Array.from(centreClasses(parameters.fcWeight, config.classes), (w) => (w * step) / outputStep);
  const classifierBits = dyadicBits(fcScaled, config.classes, (levels - 1) * args.maxTokens);
  const rnn = bifLayer('rnn', levels);
  const layers: LayerSpec[] = [
    { kind: 'conv', name: 'token_linear', inChannels: config.dim + 1, widths: [1], filters: H, bias: false },
    { kind: 'token-recurrent', name: 'rnn', hidden: H, neuron: { model: rnn.model, reset: rnn.reset, vThreshold: rnn.vThreshold, beta: rnn.beta, vReset: rnn.vReset, vInitFraction: rnn.vInitFraction, levels: rnn.levels, ann: rnn.ann } },
    { kind: 'pool', name: 'pool', mode: 'sum' },
    { kind: 'linear', name: 'fc', inFeatures: H, outFeatures: config.classes, bias: false },
    bifLayer('fc_spike', args.outputLevels),
  ];
  const weights = new Map<string, Float32Array | TensorRecord>();
  weights.set('token_linear.w1', tokenConvWeight(config, parameters.inputWeight, step));
  weights.set('rnn.recurrentWeight', toGrid(parameters.recurrentWeight, recurrentBits));
  weights.set('fc.weight', toGrid(fcScaled, classifierBits));
  const embedding = embeddingTensor(prepared, Float32Array.from(prepared.probabilities, (p) => p - config.centre), config.centre);
  weights.set('embedding', embedding.record);
  const metrics = {
    ...args.metrics,
    conversion: { method: 'su-rnn', centre: config.centre, hidden: H, hiddenStep: step, hiddenLevels: levels, recurrentGridBits: recurrentBits, outputStep, outputLevels: args.outputLevels, classifierGridBits: classifierBits },
  };
  const encoding = prepared.binarySigmas !== undefined ? 'rate' : 'direct';
  const value = modelConfig({ ...args, config: { dim: config.dim, minLength: 1 }, metrics, layers, encoding, clipSigmas: prepared.clipSigmas, embedding: embedding.config });
  value.network.encoder.presentation = 'first-step';
  return { config: value, weights };
}
