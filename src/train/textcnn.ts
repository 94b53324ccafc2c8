import { splitConvWeights } from '../layers/conv';
import type { ConvLayerSpec, NetworkSpec, NeuronLayerSpec } from '../model/spec';
import type { TrainActivation } from '../reference/activation-train';
import { convWeightOffsets } from '../reference/conv-train';
import type { TrainBatch } from './batches';
import { GraphTrainer, type TrainerCheckpoint } from './graph-trainer';
import type { TensorOps } from '../engine/ops';

/**
 * The TextCNN of architecture §2.1 as an ANN to train, a configuration of the generic trainer
 * (`GraphTrainer` in ANN mode, CPU reference or GPU kernels):
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

/** Channels of the convolution's output. */
export function channelsOf(config: TextCnnConfig): number {
  return config.widths.length * config.filters;
}

/**
 * The TextCNN as a network of layers for the trainer's ANN mode: conv (no bias) → `hidden` (its
 * activation: relu, or the quantiser with a learned step) → pool → fc (no bias, dropout on its
 * input) → `output` (identity: the logits).
 */
export function textCnnNetwork(config: TextCnnConfig, hiddenStep: number): NetworkSpec {
  const neuron = (name: string, ann: NeuronLayerSpec['ann']): NeuronLayerSpec => ({ kind: 'neuron', name, model: 'IF', reset: 'soft', vThreshold: [1], beta: 1, vReset: 0, vInitFraction: 0, levels: 2, ann });
  const hidden = config.hidden.kind === 'quant' ? { kind: 'quant' as const, step: hiddenStep, levels: config.hidden.levels } : config.hidden;
  return {
    encoder: { kind: 'direct', embeddingDim: config.dim, mean: 0, std: 1, clipSigmas: 3, minLength: config.minLength },
    layers: [
      { kind: 'conv', name: 'conv', inChannels: config.dim, widths: [...config.widths], filters: config.filters, bias: false },
      neuron('hidden', hidden),
      { kind: 'pool', name: 'pool', mode: config.pool },
      { kind: 'linear', name: 'fc', inFeatures: channelsOf(config), outFeatures: config.classes, bias: false },
      neuron('output', { kind: 'identity' }),
    ],
    readout: { classes: Array.from({ length: config.classes }, (_, k) => `class ${k}`), population: 1 },
  };
}

/**
 * A TextCNN being trained on some ops: the generic trainer (`GraphTrainer`, ANN mode) on the
 * network of `textCnnNetwork`, its input the (learned or frozen) table of centred probabilities.
 * Buffers are sized once for `maxBatch × maxTokens` and reused by every batch; one batch is one
 * command buffer on the GPU, read back once.
 */
export class TextCnnTrainer<Tensor> {
  private readonly trainer: GraphTrainer<Tensor>;
  private readonly network: NetworkSpec;
  private readonly initial: TextCnnParameters;

  constructor(
    ops: TensorOps<Tensor>,
    readonly config: TextCnnConfig,
    initial: TextCnnParameters,
    maxBatch: number,
    maxTokens: number,
  ) {
    this.initial = initial;
    this.network = textCnnNetwork(config, initial.hiddenStep);
    const conv = this.network.layers[0] as ConvLayerSpec;
    const weights = new Map([...splitConvWeights(conv, initial.convWeight), ['fc.weight', initial.fcWeight]]);
    this.trainer = new GraphTrainer(ops, this.network, weights, new Float32Array(0), 1, maxBatch, maxTokens, {
      mode: 'ann',
      table: { values: initial.table, learn: config.learnTable ? { low: -config.centre, high: 1 - config.centre } : undefined },
      dropout: { layer: 'fc', rate: config.dropout },
    });
  }

  /**
   * One optimisation step on a batch (forward, backward, AdamW on every parameter), one command
   * buffer; returns the batch's summed loss and number of correct predictions (before the update).
   */
  trainStep(batch: TrainBatch, iteration: number, seed: number, optimizer: OptimizerSettings): Promise<{ loss: number; correct: number }> {
    return this.trainer.trainStep(batch, iteration, seed, optimizer);
  }

  /** Logits `[batch][classes]` without dropout. */
  logits(batch: TrainBatch): Promise<Float32Array> {
    return this.trainer.logits(batch);
  }

  /** The pre-activations Z `[batch][positions][channels]` and pooled features of a batch (for calibration). */
  async activations(batch: TrainBatch): Promise<{ z: Float32Array; pooled: Float32Array; logits: Float32Array; positions: number }> {
    const [z, pooled, logits] = await this.trainer.outputsOf(batch, ['conv', 'pool', 'output']);
    return { z, pooled, logits, positions: batch.tokens - Math.min(...this.config.widths) + 1 };
  }

  /** Sets the quantiser's step (initial calibration). */
  setHiddenStep(step: number): void {
    if (this.config.hidden.kind === 'quant') this.trainer.setParam('hidden.step', Float32Array.of(step));
  }

  /** The trainer's whole state (parameters and optimiser moments), to resume from. */
  checkpoint(): Promise<TrainerCheckpoint> {
    return this.trainer.checkpoint();
  }

  /** Resumes from a `checkpoint` of a trainer of the same config. */
  restore(checkpoint: TrainerCheckpoint): void {
    this.trainer.restore(checkpoint);
  }

  /** The current parameters, read back. */
  async parameters(): Promise<TextCnnParameters> {
    const values = await this.trainer.paramValues();
    return {
      convWeight: values.get('conv.weight')!,
      fcWeight: values.get('fc.weight')!,
      hiddenStep: values.get('hidden.step')?.[0] ?? this.initial.hiddenStep,
      table: values.get('table') ?? this.initial.table.slice(),
    };
  }
}

/** Weight shapes of a config: the concatenated convolution and the classifier. */
export function parameterSizes(config: TextCnnConfig): { conv: number; fc: number } {
  const shape = { batch: 1, tokens: 1, inChannels: config.dim, widths: config.widths, filters: config.filters };
  return { conv: convWeightOffsets(shape).total, fc: config.classes * channelsOf(config) };
}
