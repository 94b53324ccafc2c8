import type { TrainActivation } from '../reference/activation-train';
import { randomUniformTensor } from '../model/random-tensor';
import type { TrainBatch } from './batches';
import { adamWSettings, readLossAndCorrect, type TrainOps } from './ops';
import type { OptimizerSettings } from './textcnn';

/**
 * The quantised RNN of architecture §2.4 (Su et al.) as an ANN to train, its forward and backward pass
 * written once over `TrainOps` (CPU reference or GPU kernels):
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

interface Param<Tensor> {
  value: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
  length: number;
  decay: boolean;
  low?: number;
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

/** The transpose of a square `[size][size]` matrix. */
function transpose(matrix: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out[j * size + i] = matrix[i * size + j];
  return out;
}

/**
 * A quantised RNN being trained on some ops. Buffers are sized once for `maxBatch × maxTokens` and
 * reused by every batch; one batch is one command buffer on the GPU, read back once.
 */
export class RnnTrainer<Tensor> {
  private readonly params: Param<Tensor>[] = [];
  private readonly input: Param<Tensor>;
  private readonly recurrent: Param<Tensor>;
  private readonly fc: Param<Tensor>;
  private readonly step: Param<Tensor>;
  private readonly table: Tensor;
  private readonly work: Record<'x' | 'z' | 'u' | 'y' | 'previous' | 'pooled' | 'dropped' | 'logits' | 'gradLogits' | 'stats' | 'gradDropped' | 'gradPooled' | 'gradY' | 'gradU', Tensor>;
  private adamStep = 0;

  constructor(
    private readonly ops: TrainOps<Tensor>,
    readonly config: RnnConfig,
    initial: RnnParameters,
    /** `[vocab][dim]` firing probabilities (frozen). */
    probabilities: Float32Array,
    private readonly maxBatch: number,
    private readonly maxTokens: number,
  ) {
    const { dim, hidden, classes } = config;
    const rows = maxBatch * maxTokens;
    const width = inputWidth(dim);
    const add = (name: string, value: Float32Array, decay: boolean, low?: number): Param<Tensor> => {
      const param = {
        value: ops.persistent(name, value),
        grad: ops.persistent(`${name}.grad`, new Float32Array(value.length)),
        m: ops.persistent(`${name}.m`, new Float32Array(value.length)),
        v: ops.persistent(`${name}.v`, new Float32Array(value.length)),
        length: value.length,
        decay,
        low,
      };
      this.params.push(param);
      return param;
    };
    this.input = add('rnn.inputWeight', resizeColumns(initial.inputWeight, hidden, dim + 1, width), true);
    this.recurrent = add('rnn.transposedRecurrentWeight', transpose(initial.recurrentWeight, hidden), true);
    this.fc = add('fc.weight', initial.fcWeight, true);
    this.step = add('rnn.step', Float32Array.of(initial.step), false, 1e-4);
    this.table = ops.persistent('table', presenceTable(probabilities, dim, config.centre));
    const zeros = (role: string, length: number) => ops.persistent(role, new Float32Array(Math.max(1, length)));
    this.work = {
      x: zeros('x', rows * width),
      z: zeros('z', rows * hidden),
      u: zeros('u', rows * hidden),
      y: zeros('y', rows * hidden),
      previous: zeros('previous', rows * hidden),
      pooled: zeros('pooled', maxBatch * hidden),
      dropped: zeros('dropped', maxBatch * hidden),
      logits: zeros('logits', maxBatch * classes),
      gradLogits: zeros('gradLogits', maxBatch * classes),
      stats: zeros('stats', maxBatch * 2),
      gradDropped: zeros('gradDropped', maxBatch * hidden),
      gradPooled: zeros('gradPooled', maxBatch * hidden),
      gradY: zeros('gradY', rows * hidden),
      gradU: zeros('gradU', rows * hidden),
    };
  }

  /** Records the forward pass up to the logits; returns what the backward pass needs. */
  private forward(batch: TrainBatch, training: boolean, iteration: number, seed: number) {
    const { ops, config, work } = this;
    if (batch.batch > this.maxBatch || batch.tokens > this.maxTokens) {
      throw new RangeError(`batch ${batch.batch} × ${batch.tokens} tokens exceeds the trainer's ${this.maxBatch} × ${this.maxTokens}`);
    }
    const B = batch.batch;
    const L = batch.tokens;
    const H = config.hidden;
    const valid = new Uint32Array(B * H);
    for (let b = 0; b < B; b++) valid.fill(batch.lengths[b], b * H, (b + 1) * H);
    const t = {
      ids: ops.upload('tokenIds', batch.tokenIds),
      lengths: ops.upload('lengths', batch.lengths),
      valid: ops.upload('validPositions', valid),
      scale: ops.upload('poolScale', new Float32Array(B * H).fill(1)),
    };
    const perToken = { rows: B * L, inFeatures: inputWidth(config.dim), outFeatures: H };
    const sequence = { batch: B, positions: L, hidden: H };
    ops.gather({ batch: B, tokens: L, dim: perToken.inFeatures, tokenIds: t.ids, table: this.table, output: work.x });
    ops.linearForward({ shape: perToken, input: work.x, weights: this.input.value, bias: null, output: work.z });
    ops.tokenRecurrentForward({
      shape: sequence,
      activation: config.activation,
      step: this.step.value,
      input: work.z,
      transposedRecurrentWeights: this.recurrent.value,
      lengths: t.lengths,
      preActivation: work.u,
      output: work.y,
      previous: work.previous,
    });
    ops.poolForward({ batch: B, positions: L, channels: H, input: work.y, validPositions: t.valid, scale: t.scale, output: work.pooled });
    const features = training && config.dropout > 0 ? work.dropped : work.pooled;
    if (features === work.dropped) ops.dropout({ count: B * H, rate: config.dropout, seed, iteration, input: work.pooled, output: work.dropped });
    const classifier = { rows: B, inFeatures: H, outFeatures: config.classes };
    ops.linearForward({ shape: classifier, input: features, weights: this.fc.value, bias: null, output: work.logits });
    return { B, L, H, t, features, perToken, sequence, classifier };
  }

  /**
   * One optimisation step on a batch (forward, backward through time, AdamW on every parameter), one
   * command buffer; returns the batch's summed loss and number of correct predictions (before the update).
   */
  async trainStep(batch: TrainBatch, iteration: number, seed: number, optimizer: OptimizerSettings): Promise<{ loss: number; correct: number }> {
    const { ops, config, work } = this;
    const { B, L, H, t, features, perToken, sequence, classifier } = this.forward(batch, true, iteration, seed);
    const labels = ops.upload('labels', batch.labels);
    ops.crossEntropy({ batch: B, classes: config.classes, gradScale: 1 / B, logits: work.logits, labels, gradLogits: work.gradLogits, stats: work.stats });
    ops.linearWeightBackward({ shape: classifier, input: features, gradOutput: work.gradLogits, gradWeights: this.fc.grad, gradBias: null });
    ops.linearInputBackward({ shape: classifier, weights: this.fc.value, gradOutput: work.gradLogits, gradInput: work.gradDropped });
    if (features === work.dropped) ops.dropout({ count: B * H, rate: config.dropout, seed, iteration, input: work.gradDropped, output: work.gradPooled });
    const gradPooled = features === work.dropped ? work.gradPooled : work.gradDropped;
    ops.poolBackward({ batch: B, positions: L, channels: H, gradOutput: gradPooled, validPositions: t.valid, scale: t.scale, gradInput: work.gradY });
    const quant = config.activation.kind === 'quant';
    const levels = config.activation.kind === 'quant' ? config.activation.levels : 2;
    ops.tokenRecurrentBackward({
      shape: sequence,
      activation: config.activation,
      step: this.step.value,
      preActivation: work.u,
      transposedRecurrentWeights: this.recurrent.value,
      lengths: t.lengths,
      gradOutput: work.gradY,
      gradInput: work.gradU,
      gradStep: quant ? this.step.grad : null,
      stepGradScale: 1 / Math.sqrt(L * H * (levels - 1)),
    });
    // dUᵀ[j][h] = Σ_rows y_{p−1}[j] · du_p[h]
    ops.linearWeightBackward({ shape: { rows: B * L, inFeatures: H, outFeatures: H }, input: work.gradU, gradOutput: work.previous, gradWeights: this.recurrent.grad, gradBias: null });
    ops.linearWeightBackward({ shape: perToken, input: work.x, gradOutput: work.gradU, gradWeights: this.input.grad, gradBias: null });
    this.adamStep++;
    for (const param of this.params) {
      if (param === this.step && !quant) continue;
      const settings = adamWSettings({
        learningRate: optimizer.learningRate,
        weightDecay: param.decay ? optimizer.weightDecay : 0,
        step: this.adamStep,
        low: param.low,
      });
      ops.adamW({ count: param.length, settings, param: param.value, grad: param.grad, m: param.m, v: param.v });
    }
    return readLossAndCorrect(ops, work.stats, B);
  }

  /** Logits `[batch][classes]` without dropout. */
  async logits(batch: TrainBatch): Promise<Float32Array> {
    this.forward(batch, false, 0, 0);
    const [logits] = await this.ops.read([{ tensor: this.work.logits, length: batch.batch * this.config.classes }]);
    return logits;
  }

  /**
   * LSQ's initial step, `2·mean(z) / √(L − 1)` over the positive per-token currents z of a batch
   * (before the recurrence, which starts near 0), so that the levels cover the bulk of them.
   */
  async calibrateStep(batch: TrainBatch): Promise<number> {
    if (this.config.activation.kind !== 'quant') return 1;
    this.forward(batch, false, 0, 0);
    const [z] = await this.ops.read([{ tensor: this.work.z, length: batch.batch * batch.tokens * this.config.hidden }]);
    let sum = 0;
    let count = 0;
    for (const value of z) {
      if (value > 0) {
        sum += value;
        count++;
      }
    }
    const step = count > 0 ? (2 * (sum / count)) / Math.sqrt(this.config.activation.levels - 1) : 1;
    this.ops.write(this.step.value, Float32Array.of(step));
    return step;
  }

  /** The current parameters, read back. */
  async parameters(): Promise<RnnParameters> {
    const [inputWeight, recurrentWeight, fcWeight, step] = await this.ops.read([
      { tensor: this.input.value, length: this.input.length },
      { tensor: this.recurrent.value, length: this.recurrent.length },
      { tensor: this.fc.value, length: this.fc.length },
      { tensor: this.step.value, length: 1 },
    ]);
    const { dim, hidden } = this.config;
    return { inputWeight: resizeColumns(inputWeight, hidden, inputWidth(dim), dim + 1), recurrentWeight: transpose(recurrentWeight, hidden), fcWeight, step: step[0] };
  }
}
