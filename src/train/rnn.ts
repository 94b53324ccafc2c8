import type { TrainActivation } from '../reference/activation-train';
import { randomUniformTensor } from '../model/random-tensor';
import type { NetworkSpec } from '../model/spec';
import type { TrainBatch } from './batches';
import { GraphTrainer } from './graph-trainer';
import { lsqInitialStep } from './ops';
import type { TensorOps } from '../engine/ops';
import type { OptimizerSettings } from './textcnn';

/**
 * The quantised RNN of architecture §2.4 (Su et al.) as an ANN to train, a configuration of the
 * generic trainer (`GraphTrainer` in ANN mode, CPU reference or GPU kernels):
 * ```
 * X = [table[ids] − c, 1]   (0 for silent ids)  [B·L][D + 1]  centred firing probabilities (frozen GloVe) and a presence 1
 * Z = X · Wᵀ                                     [B·L][H]      per token; W's last column is the bias of known words
 * u_p = Z_p + U·y_{p−1},  y_p = s·clamp(⌊u_p/s + ½⌋, 0, L−1)   over the tokens of each sentence, s learned
 * h = Σ_p y_p                                    [B][H]        sum over the sentence's tokens
 * logits = Wfc · dropout(h)                      [B][K]        cross-entropy
 * ```
 * Backward through time with the straight-through estimator and LSQ's step gradient
 * (`token-recurrent-train.ts`); AdamW on W, U, Wfc and s. The presence column makes the bias apply
 * to known words only, as the spiking network's presence input does (`rnn-bif.ts`). On the ops, X
 * is padded with zero columns to a multiple of 4 and U is kept transposed, for the kernels' vectors.
 */
export interface RnnConfig {
  /** D: firing-probability components of a word (the table's columns). */
  dim: number;
  hidden: number;
  classes: number;
  activation: TrainActivation;
  dropout: number;
  /** c: subtracted from every known word's probabilities. */
  centre: number;
}

/** The trained values, as plain arrays. */
export interface RnnParameters {
  /** W `[hidden][dim + 1]`: the last column multiplies the presence input (the bias of known words). */
  inputWeight: Float32Array;
  /** U `[hidden][hidden]`. */
  recurrentWeight: Float32Array;
  /** `[classes][hidden]`. */
  fcWeight: Float32Array;
  /** The quantiser's step s. */
  step: number;
}

/**
 * Initial weights from the seed: W uniform ±√(6 / (D + 1)) (He), U uniform ±`recurrentScale`/√H,
 * the classifier ±¼√(3 / H); the step is calibrated on the first batch (`RnnTrainer.calibrateStep`).
 */
export function initialRnnParameters(config: RnnConfig, seed: number, recurrentScale = 0.5): RnnParameters {
  const { dim, hidden, classes } = config;
  const inputRange = Math.sqrt(6 / (dim + 1));
  const recurrentRange = recurrentScale / Math.sqrt(hidden);
  // The classifier reads a sum over the tokens (about 20 of them): a quarter of the usual range keeps
  // the first logits moderate.
  const fcRange = Math.sqrt(3 / hidden) / 4;
  return {
    inputWeight: randomUniformTensor(seed, 'rnn.inputWeight', hidden * (dim + 1), -inputRange, inputRange),
    recurrentWeight: randomUniformTensor(seed, 'rnn.recurrentWeight', hidden * hidden, -recurrentRange, recurrentRange),
    fcWeight: randomUniformTensor(seed, 'fc.weight', classes * hidden, -fcRange, fcRange),
    step: 1,
  };
}

/** Columns of X on the ops: dim + 1 (the presence column) rounded up to a multiple of 4. */
export function inputWidth(dim: number): number {
  return Math.ceil((dim + 1) / 4) * 4;
}

/** The frozen training table `[vocab][inputWidth]`: the centred probabilities, a presence 1, zeros. */
export function presenceTable(probabilities: Float32Array, dim: number, centre: number): Float32Array {
  const rows = probabilities.length / dim;
  const width = inputWidth(dim);
  const table = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) table[r * width + d] = probabilities[r * dim + d] - centre;
    table[r * width + dim] = 1;
  }
  return table;
}

/** Copies the columns of a `[rows][from]` matrix into a `[rows][to]` one (zeros or truncation). */
function resizeColumns(matrix: Float32Array, rows: number, from: number, to: number): Float32Array {
  const out = new Float32Array(rows * to);
  for (let r = 0; r < rows; r++) out.set(matrix.subarray(r * from, r * from + Math.min(from, to)), r * to);
  return out;
}

/**
 * The quantised RNN as a network of layers for the trainer's ANN mode: `tokens` (a width-1
 * convolution over the padded rows, no bias: Z = X·Wᵀ per token) → `rnn` (token-recurrent, the
 * quantiser with a learned step) → sum pool → `fc` (no bias, dropout on its input) → `output`
 * (identity: the logits).
 */
export function rnnNetwork(config: RnnConfig, step: number): NetworkSpec {
  const width = inputWidth(config.dim);
  const ann = config.activation.kind === 'quant' ? { kind: 'quant' as const, step, levels: config.activation.levels } : config.activation;
  const neuron = { model: 'IF' as const, reset: 'soft' as const, vThreshold: [1], beta: 1, vReset: 0, vInitFraction: 0, levels: 2 };
  return {
    encoder: { kind: 'direct', embeddingDim: width, mean: 0, std: 1, clipSigmas: 3, minLength: 1 },
    layers: [
      { kind: 'conv', name: 'tokens', inChannels: width, widths: [1], filters: config.hidden, bias: false },
      { kind: 'token-recurrent', name: 'rnn', hidden: config.hidden, neuron: { ...neuron, ann } },
      { kind: 'pool', name: 'pool', mode: 'sum' },
      { kind: 'linear', name: 'fc', inFeatures: config.hidden, outFeatures: config.classes, bias: false },
      { kind: 'neuron', name: 'output', ...neuron, ann: { kind: 'identity' } },
    ],
    readout: { classes: Array.from({ length: config.classes }, (_, k) => `class ${k}`), population: 1 },
  };
}

/**
 * A quantised RNN being trained on some ops: the generic trainer (`GraphTrainer`, ANN mode) on the
 * network of `rnnNetwork`, its input the frozen table of centred probabilities with the presence
 * column. Buffers are sized once for `maxBatch × maxTokens`; one batch is one command buffer.
 */
export class RnnTrainer<Tensor> {
  private readonly trainer: GraphTrainer<Tensor>;
  private readonly initialStep: number;

  constructor(
    ops: TensorOps<Tensor>,
    readonly config: RnnConfig,
    initial: RnnParameters,
    /** `[vocab][dim]` firing probabilities (frozen). */
    probabilities: Float32Array,
    maxBatch: number,
    maxTokens: number,
  ) {
    const { dim, hidden } = config;
    this.initialStep = initial.step;
    const network = rnnNetwork(config, initial.step);
    const weights = new Map([
      ['tokens.w1', resizeColumns(initial.inputWeight, hidden, dim + 1, inputWidth(dim))],
      ['rnn.recurrentWeight', initial.recurrentWeight],
      ['fc.weight', initial.fcWeight],
    ]);
    this.trainer = new GraphTrainer(ops, network, weights, new Float32Array(0), 1, maxBatch, maxTokens, {
      mode: 'ann',
      table: { values: presenceTable(probabilities, dim, config.centre) },
      dropout: { layer: 'fc', rate: config.dropout },
    });
  }

  /**
   * One optimisation step on a batch (forward, backward through time, AdamW on every parameter), one
   * command buffer; returns the batch's summed loss and number of correct predictions (before the update).
   */
  trainStep(batch: TrainBatch, iteration: number, seed: number, optimizer: OptimizerSettings): Promise<{ loss: number; correct: number }> {
    return this.trainer.trainStep(batch, iteration, seed, optimizer);
  }

  /** Logits `[batch][classes]` without dropout. */
  logits(batch: TrainBatch): Promise<Float32Array> {
    return this.trainer.logits(batch);
  }

  /**
   * LSQ's initial step, `2·mean(z) / √(L − 1)` over the positive per-token currents z of a batch
   * (before the recurrence, which starts near 0), so that the levels cover the bulk of them.
   */
  async calibrateStep(batch: TrainBatch): Promise<number> {
    if (this.config.activation.kind !== 'quant') return 1;
    const [z] = await this.trainer.outputsOf(batch, ['tokens']);
    const step = lsqInitialStep(z, this.config.activation.levels);
    this.trainer.setParam('rnn.step', Float32Array.of(step));
    return step;
  }

  /** The current parameters, read back. */
  async parameters(): Promise<RnnParameters> {
    const values = await this.trainer.paramValues();
    const stored = await this.trainer.weights();
    const { dim, hidden } = this.config;
    return {
      inputWeight: resizeColumns(stored.get('tokens.w1')!, hidden, inputWidth(dim), dim + 1),
      recurrentWeight: stored.get('rnn.recurrentWeight')!,
      fcWeight: stored.get('fc.weight')!,
      step: values.get('rnn.step')?.[0] ?? this.initialStep,
    };
  }
}
