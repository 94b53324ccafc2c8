import type { TrainActivation } from '../reference/activation-train';
import { convTrainPositions, convWeightOffsets, validPositionsOf, type ConvTrainShape } from '../reference/conv-train';
import type { TrainBatch } from './batches';
import { adamWSettings, readLossAndCorrect, type TrainOps } from './ops';

/**
 * The TextCNN of architecture §2.1 as an ANN to train, its forward and backward pass written once over
 * `TrainOps` (CPU reference or GPU kernels):
 * ```
 * X = table[ids] − c  (0 for silent ids) [B][L][D]   centred firing probabilities (frozen GloVe) or a learned table
 * Z = conv(X), widths × filters, no bias  [B][P][C]   masked past each sample's positions
 * A = act(Z)                              relu, or the quantiser s·clamp(⌊Z/s + ½⌋, 0, L−1) with s learned
 * h = pool(A)                             average (or sum) over each channel's valid positions
 * y = W · dropout(h)                     [B][K]      logits; cross-entropy
 * ```
 * The probabilities are centred (p ≈ ½ on average, so uncentred inputs bury the signal under a
 * constant and train several times slower). The spiking network gets p, not p − c: the export adds
 * a *presence* input component, 1 for every known word, whose weight at each tap is −c Σ_d W, which
 * is the same function exactly (export.ts).
 */

export interface TextCnnConfig {
  dim: number;
  widths: number[];
  filters: number;
  classes: number;
  hidden: TrainActivation;
  pool: 'avg' | 'sum';
  dropout: number;
  /** Learn the table (Chinese characters); it stays within [0, 1] (it is the firing probability). */
  learnTable: boolean;
  /** Sentences are padded to at least this many tokens (the widest width). */
  minLength: number;
  /** c: subtracted from every known word's probabilities (their mean, or ½ for a learned table). */
  centre: number;
}

/** The trained values, as plain arrays. */
export interface TextCnnParameters {
  /** Branches concatenated, `[branch][filters][width][dim]`. */
  convWeight: Float32Array;
  /** `[classes][branches · filters]`. */
  fcWeight: Float32Array;
  /** The quantiser's step (1 when the hidden activation is relu). */
  hiddenStep: number;
  /** `[vocab][dim]`: the (learned or frozen) firing probabilities minus the config's `centre`. */
  table: Float32Array;
}

/** Optimiser settings per step. */
export interface OptimizerSettings {
  learningRate: number;
  weightDecay: number;
  /** Learning rate of a learned table (often larger: rows are updated rarely). */
  tableLearningRate: number;
}

interface Param<Tensor> {
  name: string;
  value: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
  length: number;
  decay: boolean;
  low?: number;
  high?: number;
}

/** Channels of the convolution's output. */
export function channelsOf(config: TextCnnConfig): number {
  return config.widths.length * config.filters;
}

/**
 * A TextCNN being trained on some ops. Buffers are sized once for `maxBatch × maxTokens` and
 * reused by every batch; one batch is one command buffer on the GPU, read back once.
 */
export class TextCnnTrainer<Tensor> {
  readonly params: Param<Tensor>[] = [];
  private readonly conv: Param<Tensor>;
  private readonly fc: Param<Tensor>;
  private readonly step: Param<Tensor>;
  private readonly table: Param<Tensor>;
  private readonly work: Record<'x' | 'z' | 'a' | 'pooled' | 'dropped' | 'logits' | 'gradLogits' | 'stats' | 'gradDropped' | 'gradPooled' | 'gradA' | 'gradZ' | 'gradX', Tensor>;
  private adamStep = 0;

  constructor(
    private readonly ops: TrainOps<Tensor>,
    readonly config: TextCnnConfig,
    initial: TextCnnParameters,
    private readonly maxBatch: number,
    private readonly maxTokens: number,
  ) {
    const C = channelsOf(config);
    const P = maxTokens - Math.min(...config.widths) + 1;
    const B = maxBatch;
    const add = (name: string, value: Float32Array, decay: boolean, low?: number, high?: number): Param<Tensor> => {
      const param = {
        name,
        value: ops.persistent(name, value),
        grad: ops.persistent(`${name}.grad`, new Float32Array(value.length)),
        m: ops.persistent(`${name}.m`, new Float32Array(value.length)),
        v: ops.persistent(`${name}.v`, new Float32Array(value.length)),
        length: value.length,
        decay,
        low,
        high,
      };
      this.params.push(param);
      return param;
    };
    this.conv = add('conv.weight', initial.convWeight, true);
    this.fc = add('fc.weight', initial.fcWeight, true);
    this.step = add('hidden.step', Float32Array.of(initial.hiddenStep), false, 1e-4);
    this.table = add('table', initial.table, false, -config.centre, 1 - config.centre);
    const zeros = (role: string, length: number) => ops.persistent(role, new Float32Array(Math.max(1, length)));
    this.work = {
      x: zeros('x', B * maxTokens * config.dim),
      z: zeros('z', B * P * C),
      a: zeros('a', B * P * C),
      pooled: zeros('pooled', B * C),
      dropped: zeros('dropped', B * C),
      logits: zeros('logits', B * config.classes),
      gradLogits: zeros('gradLogits', B * config.classes),
      stats: zeros('stats', B * 2),
      gradDropped: zeros('gradDropped', B * C),
      gradPooled: zeros('gradPooled', B * C),
      gradA: zeros('gradA', B * P * C),
      gradZ: zeros('gradZ', B * P * C),
      gradX: zeros('gradX', config.learnTable ? B * maxTokens * config.dim : 1),
    };
  }

  private shape(batch: TrainBatch): ConvTrainShape {
    if (batch.batch > this.maxBatch || batch.tokens > this.maxTokens) {
      throw new RangeError(`batch ${batch.batch} × ${batch.tokens} tokens exceeds the trainer's ${this.maxBatch} × ${this.maxTokens}`);
    }
    return { batch: batch.batch, tokens: batch.tokens, inChannels: this.config.dim, widths: this.config.widths, filters: this.config.filters };
  }

  /** Valid positions and pooling scale of every (sample, channel). */
  private poolTables(batch: TrainBatch, positions: number): { valid: Uint32Array; scale: Float32Array } {
    const C = channelsOf(this.config);
    const valid = new Uint32Array(batch.batch * C);
    const scale = new Float32Array(batch.batch * C);
    for (let b = 0; b < batch.batch; b++) {
      this.config.widths.forEach((width, k) => {
        const count = validPositionsOf(batch.lengths[b], width, positions);
        for (let f = 0; f < this.config.filters; f++) {
          valid[b * C + k * this.config.filters + f] = count;
          scale[b * C + k * this.config.filters + f] = this.config.pool === 'sum' ? 1 : count > 0 ? Math.fround(1 / count) : 0;
        }
      });
    }
    return { valid, scale };
  }

  /** Records the forward pass up to the logits; returns what the backward pass needs. */
  private forward(batch: TrainBatch, training: boolean, iteration: number, seed: number) {
    const { ops, config, work } = this;
    const shape = this.shape(batch);
    const P = convTrainPositions(shape);
    const C = channelsOf(config);
    const B = batch.batch;
    const { valid, scale } = this.poolTables(batch, P);
    const t = {
      ids: ops.upload('tokenIds', batch.tokenIds),
      lengths: ops.upload('lengths', batch.lengths),
      valid: ops.upload('validPositions', valid),
      scale: ops.upload('poolScale', scale),
    };
    ops.gather({ batch: B, tokens: batch.tokens, dim: config.dim, tokenIds: t.ids, table: this.table.value, output: work.x });
    ops.convForward({ shape, input: work.x, weights: this.conv.value, lengths: t.lengths, output: work.z });
    ops.activationForward({ count: B * P * C, activation: config.hidden, step: this.step.value, input: work.z, output: work.a });
    ops.poolForward({ batch: B, positions: P, channels: C, input: work.a, validPositions: t.valid, scale: t.scale, output: work.pooled });
    const features = training && config.dropout > 0 ? work.dropped : work.pooled;
    if (features === work.dropped) ops.dropout({ count: B * C, rate: config.dropout, seed, iteration, input: work.pooled, output: work.dropped });
    const linear = { rows: B, inFeatures: C, outFeatures: config.classes };
    ops.linearForward({ shape: linear, input: features, weights: this.fc.value, bias: null, output: work.logits });
    return { shape, P, C, B, t, features, linear };
  }

  /**
   * One optimisation step on a batch (forward, backward, AdamW on every parameter), one command
   * buffer; returns the batch's summed loss and number of correct predictions (before the update).
   */
  async trainStep(batch: TrainBatch, iteration: number, seed: number, optimizer: OptimizerSettings): Promise<{ loss: number; correct: number }> {
    const { ops, config, work } = this;
    const { shape, P, C, B, t, features, linear } = this.forward(batch, true, iteration, seed);
    const labels = ops.upload('labels', batch.labels);
    ops.crossEntropy({ batch: B, classes: config.classes, gradScale: 1 / B, logits: work.logits, labels, gradLogits: work.gradLogits, stats: work.stats });
    ops.linearWeightBackward({ shape: linear, input: features, gradOutput: work.gradLogits, gradWeights: this.fc.grad, gradBias: null });
    ops.linearInputBackward({ shape: linear, weights: this.fc.value, gradOutput: work.gradLogits, gradInput: work.gradDropped });
    if (features === work.dropped) ops.dropout({ count: B * C, rate: config.dropout, seed, iteration, input: work.gradDropped, output: work.gradPooled });
    const gradPooled = features === work.dropped ? work.gradPooled : work.gradDropped;
    ops.poolBackward({ batch: B, positions: P, channels: C, gradOutput: gradPooled, validPositions: t.valid, scale: t.scale, gradInput: work.gradA });
    const quant = config.hidden.kind === 'quant';
    const levels = config.hidden.kind === 'quant' ? config.hidden.levels : 2;
    ops.activationBackward({
      count: B * P * C,
      activation: config.hidden,
      step: this.step.value,
      input: work.z,
      gradOutput: work.gradA,
      gradInput: work.gradZ,
      gradStep: quant ? this.step.grad : null,
      stepGradScale: 1 / Math.sqrt(P * C * (levels - 1)),
    });
    ops.convWeightBackward({ shape, input: work.x, gradOutput: work.gradZ, lengths: t.lengths, gradWeights: this.conv.grad });
    if (config.learnTable) {
      ops.convInputBackward({ shape, weights: this.conv.value, gradOutput: work.gradZ, lengths: t.lengths, gradInput: work.gradX });
      ops.clear(this.table.grad, this.table.length);
      ops.embeddingBackward({ groups: batch.groups, dim: config.dim, gradInput: work.gradX, gradTable: this.table.grad });
    }
    this.adamStep++;
    for (const param of this.params) {
      if (param === this.step && !quant) continue;
      if (param === this.table && !config.learnTable) continue;
      const settings = adamWSettings({
        learningRate: param === this.table ? optimizer.tableLearningRate : optimizer.learningRate,
        weightDecay: param.decay ? optimizer.weightDecay : 0,
        step: this.adamStep,
        low: param.low,
        high: param.high,
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

  /** The pre-activations Z `[batch][positions][channels]` and pooled features of a batch (for calibration). */
  async activations(batch: TrainBatch): Promise<{ z: Float32Array; pooled: Float32Array; logits: Float32Array; positions: number }> {
    const { P, C, B } = this.forward(batch, false, 0, 0);
    const [z, pooled, logits] = await this.ops.read([
      { tensor: this.work.z, length: B * P * C },
      { tensor: this.work.pooled, length: B * C },
      { tensor: this.work.logits, length: B * this.config.classes },
    ]);
    return { z, pooled, logits, positions: P };
  }

  /** Sets the quantiser's step (initial calibration). */
  setHiddenStep(step: number): void {
    this.ops.write(this.step.value, Float32Array.of(step));
  }

  /** The current parameters, read back. */
  async parameters(): Promise<TextCnnParameters> {
    const [convWeight, fcWeight, step, table] = await this.ops.read([
      { tensor: this.conv.value, length: this.conv.length },
      { tensor: this.fc.value, length: this.fc.length },
      { tensor: this.step.value, length: 1 },
      { tensor: this.table.value, length: this.table.length },
    ]);
    return { convWeight, fcWeight, hiddenStep: step[0], table };
  }
}

/** Weight shapes of a config: the concatenated convolution and the classifier. */
export function parameterSizes(config: TextCnnConfig): { conv: number; fc: number } {
  const shape = { batch: 1, tokens: 1, inChannels: config.dim, widths: config.widths, filters: config.filters };
  return { conv: convWeightOffsets(shape).total, fc: config.classes * channelsOf(config) };
}
