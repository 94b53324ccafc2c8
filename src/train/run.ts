/**
 * The training loop of the ANN TextCNN, written once for both backends: seeded shuffling, length-
 * pooled batches, AdamW with a cosine-decayed learning rate, progress on a log callback (epoch,
 * loss, accuracy, time left), dev accuracy after every epoch, and the parameters of the best epoch.
 * The same seed gives the same model: the shuffle, the initial weights and the dropout masks are
 * all hashes of the seed, and no kernel sums with atomics.
 */
import type { TrainActivation } from '../reference/activation-train';
import { randomUniformTensor } from '../model/random-tensor';
import { epochBatches, evaluationBatches, makeBatch, type EncodedExample, type TrainBatch } from './batches';
import type { TensorOps } from '../engine/ops';
import { parameterSizes, TextCnnTrainer, type OptimizerSettings, type TextCnnConfig, type TextCnnParameters } from './textcnn';
import { lsqInitialStep } from './ops';
import type { TrainerCheckpoint } from './graph-trainer';

/** How to train. */
export interface TrainSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  tableLearningRate: number;
  weightDecay: number;
  /** Longest sentence seen in training (longer ones are cut; inference reads them whole). */
  maxTokens: number;
}

/** What one epoch measured. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  devAccuracy: number;
  seconds: number;
}

/** The result: the best epoch's parameters (by dev accuracy) and the history. */
export interface TrainResult<Parameters = TextCnnParameters> {
  parameters: Parameters;
  bestEpoch: number;
  history: EpochRecord[];
  seconds: number;
}

/**
 * Initial weights from the seed: uniform ±√(6 / fan-in) (He), classifier ±√(3 / features); the
 * table is the firing probabilities, centred (the config's `centre` subtracted).
 */
export function initialParameters(config: TextCnnConfig, probabilities: Float32Array, seed: number): TextCnnParameters {
  const sizes = parameterSizes(config);
  const convRange = Math.sqrt(6 / (config.dim * (config.widths.reduce((a, b) => a + b, 0) / config.widths.length)));
  const fcRange = Math.sqrt(3 / (config.widths.length * config.filters));
  return {
    convWeight: randomUniformTensor(seed, 'conv.weight', sizes.conv, -convRange, convRange),
    fcWeight: randomUniformTensor(seed, 'fc.weight', sizes.fc, -fcRange, fcRange),
    hiddenStep: 1,
    table: Float32Array.from(probabilities, (p) => p - config.centre),
  };
}

/** Accuracy of a trainer on examples (no dropout). */
export async function trainerAccuracy<T>(trainer: TextCnnTrainer<T>, examples: readonly EncodedExample[], batchSize: number, maxTokens: number): Promise<number> {
  if (examples.length === 0) return 0;
  let correct = 0;
  for (const { examples: chunk } of evaluationBatches(examples, batchSize)) {
    const batch = makeBatch(chunk, trainer.config.minLength, maxTokens);
    const logits = await trainer.logits(batch);
    const K = trainer.config.classes;
    chunk.forEach((example, b) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (logits[b * K + k] > logits[b * K + best]) best = k;
      if (best === example.label) correct++;
    });
  }
  return correct / examples.length;
}

/**
 * LSQ's initial step for the quantiser: `2·mean(|z|) / √(L − 1)` over the positive
 * pre-activations of one batch, so that the levels cover the bulk of the activations.
 */
async function calibrateStep<T>(trainer: TextCnnTrainer<T>, hidden: TrainActivation, examples: readonly EncodedExample[], settings: TrainSettings): Promise<number> {
  if (hidden.kind !== 'quant') return 1;
  const batch = makeBatch(examples.slice(0, settings.batchSize), trainer.config.minLength, settings.maxTokens);
  const { z } = await trainer.activations(batch);
  const step = lsqInitialStep(z, hidden.levels);
  trainer.setHiddenStep(step);
  return step;
}

export { formatDuration } from './user-settings';
import { formatDuration } from './user-settings';

/** Trains a TextCNN on `train`, choosing the epoch by accuracy on `dev`. */
export async function trainTextCnn<T>(
  ops: TensorOps<T>,
  config: TextCnnConfig,
  table: Float32Array,
  train: readonly EncodedExample[],
  dev: readonly EncodedExample[],
  settings: TrainSettings,
  log: (line: string) => void = () => {},
  hooks: TextCnnHooks = {},
): Promise<TrainResult> {
  const started = performance.now();
  const trainer = new TextCnnTrainer(ops, config, initialParameters(config, table, settings.seed), settings.batchSize, settings.maxTokens);
  if (hooks.resume) {
    trainer.restore(hooks.resume.state);
  } else {
    const step = await calibrateStep(trainer, config.hidden, train, settings);
    if (config.hidden.kind === 'quant') log(`quantiser: ${config.hidden.levels} levels, initial step ${step.toPrecision(4)}`);
  }
  const loop: EpochLoop<TextCnnParameters> = {
    minLength: config.minLength,
    trainStep: (batch, iteration, seed, optimizer) => trainer.trainStep(batch, iteration, seed, optimizer),
    devAccuracy: () => trainerAccuracy(trainer, dev, settings.batchSize, settings.maxTokens),
    parameters: () => trainer.parameters(),
  };
  return trainEpochs(loop, train, settings, log, started, {
    onBatch: hooks.onBatch,
    beforeBatch: hooks.beforeBatch,
    resume: hooks.resume?.finished,
    onEpoch: hooks.onEpoch && (async (finished) => hooks.onEpoch!({ finished, state: await trainer.checkpoint() })),
  });
}

/** A TextCNN run's checkpoint: the finished epochs and the trainer's state after the last of them. */
export interface TextCnnCheckpoint {
  finished: FinishedEpochs<TextCnnParameters>;
  state: TrainerCheckpoint;
}

/** `trainTextCnn`'s hooks: progress, pause/cancel, a checkpoint after each epoch, and resuming from one. */
export interface TextCnnHooks {
  onBatch?: EpochHooks<TextCnnParameters>['onBatch'];
  beforeBatch?: EpochHooks<TextCnnParameters>['beforeBatch'];
  onEpoch?(checkpoint: TextCnnCheckpoint): Promise<void> | void;
  resume?: TextCnnCheckpoint;
}

/** What the epoch loop needs of a model being trained. */
export interface EpochLoop<Parameters> {
  /** Sentences are padded to at least this many tokens. */
  minLength: number;
  trainStep(batch: TrainBatch, iteration: number, seed: number, optimizer: OptimizerSettings): Promise<{ loss: number; correct: number }>;
  devAccuracy(): Promise<number>;
  parameters(): Promise<Parameters>;
  /** Extra text for an epoch's summary line (read from the epoch's parameters), e.g. the quantiser's step. */
  describe?(parameters: Parameters): string;
}

/** Where a run stands, after each batch (for a progress display). */
export interface BatchProgress {
  epoch: number;
  epochs: number;
  /** Batches done in this epoch, of `batches`. */
  batch: number;
  batches: number;
  /** Mean loss and accuracy over this epoch's batches so far. */
  loss: number;
  trainAccuracy: number;
  /** Training examples per second over the run so far (this session's part of it). */
  examplesPerSecond: number;
  elapsedSeconds: number;
  secondsLeft: number;
}

/** The best epoch so far: its dev accuracy and parameters. */
export interface BestEpoch<Parameters> {
  epoch: number;
  accuracy: number;
  parameters: Parameters;
}

/** What a run has finished: enough to resume it after the last finished epoch. */
export interface FinishedEpochs<Parameters> {
  /** Epochs finished (1-based count); the next one to run is `epochs + 1`. */
  epochs: number;
  /** Optimiser steps taken (the learning-rate schedule and the dropout masks follow it). */
  iteration: number;
  history: EpochRecord[];
  best: BestEpoch<Parameters>;
}

/** Optional hooks of `trainEpochs`: progress, a checkpoint after each epoch, pause and cancel, resume. */
export interface EpochHooks<Parameters> {
  onBatch?(progress: BatchProgress): void;
  /** After each epoch (awaited: a checkpoint is written before the next epoch starts). */
  onEpoch?(finished: FinishedEpochs<Parameters>): Promise<void> | void;
  /** Awaited before every batch: resolves at once, or when a paused run goes on; throws to stop. */
  beforeBatch?(): Promise<void>;
  /** Go on after these finished epochs (their parameters and optimiser state already restored by the caller). */
  resume?: FinishedEpochs<Parameters>;
}

/**
 * The epochs of a training run, for any model: seeded length-pooled batches, the learning rate
 * decayed along a cosine to a tenth of itself over the whole run, progress on `log` (epoch, loss,
 * accuracy, time left), dev accuracy after every epoch, and the parameters of the best epoch.
 * With `hooks.resume`, the run goes on after the epochs it lists exactly as if it had not stopped:
 * the batches of an epoch, the schedule and the masks depend only on the seed, epoch and iteration.
 */
export async function trainEpochs<Parameters>(
  loop: EpochLoop<Parameters>,
  train: readonly EncodedExample[],
  settings: TrainSettings,
  log: (line: string) => void,
  started: number,
  hooks: EpochHooks<Parameters> = {},
): Promise<TrainResult<Parameters>> {
  const history: EpochRecord[] = [...(hooks.resume?.history ?? [])];
  let best: BestEpoch<Parameters> | null = hooks.resume?.best ?? null;
  const batchesPerEpoch = Math.ceil(train.length / settings.batchSize);
  const totalBatches = batchesPerEpoch * settings.epochs;
  let iteration = hooks.resume?.iteration ?? 0;
  const firstIteration = iteration;
  let examplesSeen = 0;
  for (let epoch = (hooks.resume?.epochs ?? 0) + 1; epoch <= settings.epochs; epoch++) {
    const epochStarted = performance.now();
    let loss = 0;
    let correct = 0;
    let seen = 0;
    let lastLog = performance.now();
    const batches = epochBatches(train, settings.batchSize, settings.seed, epoch);
    for (const [index, examples] of batches.entries()) {
      await hooks.beforeBatch?.();
      const progress = iteration / Math.max(1, totalBatches - 1);
      const decay = 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress));
      const result = await loop.trainStep(makeBatch(examples, loop.minLength, settings.maxTokens), iteration, settings.seed, {
        learningRate: settings.learningRate * decay,
        tableLearningRate: settings.tableLearningRate * decay,
        weightDecay: settings.weightDecay,
      });
      iteration++;
      loss += result.loss;
      correct += result.correct;
      seen += examples.length;
      examplesSeen += examples.length;
      const elapsed = (performance.now() - started) / 1000;
      const left = (elapsed / Math.max(1, iteration - firstIteration)) * (totalBatches - iteration);
      hooks.onBatch?.({ epoch, epochs: settings.epochs, batch: index + 1, batches: batches.length, loss: loss / seen, trainAccuracy: correct / seen, examplesPerSecond: examplesSeen / Math.max(1e-9, elapsed), elapsedSeconds: elapsed, secondsLeft: left });
      if (performance.now() - lastLog > 10_000 || index === batches.length - 1) {
        lastLog = performance.now();
        log(`epoch ${epoch}/${settings.epochs}  batch ${index + 1}/${batches.length}  loss ${(loss / seen).toFixed(4)}  train acc ${((100 * correct) / seen).toFixed(1)}%  elapsed ${formatDuration(elapsed)}  left ~${formatDuration(left)}`);
      }
    }
    const devAccuracy = await loop.devAccuracy();
    const record = { epoch, trainLoss: loss / seen, trainAccuracy: correct / seen, devAccuracy, seconds: (performance.now() - epochStarted) / 1000 };
    history.push(record);
    const parameters = loop.describe ? await loop.parameters() : null;
    const extra = parameters !== null && loop.describe ? `, ${loop.describe(parameters)}` : '';
    log(`epoch ${epoch}/${settings.epochs} done: train loss ${record.trainLoss.toFixed(4)}, train acc ${(100 * record.trainAccuracy).toFixed(1)}%, dev acc ${(100 * devAccuracy).toFixed(2)}%${extra} (${record.seconds.toFixed(0)} s)`);
    if (!best || devAccuracy > best.accuracy) best = { accuracy: devAccuracy, epoch, parameters: parameters ?? (await loop.parameters()) };
    await hooks.onEpoch?.({ epochs: epoch, iteration, history: [...history], best });
  }
  if (!best) throw new Error('no epoch was trained: the run had already finished all of its epochs');
  return { parameters: best.parameters, bestEpoch: best.epoch, history, seconds: (performance.now() - started) / 1000 };
}
