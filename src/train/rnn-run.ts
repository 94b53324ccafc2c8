/**
 * Training of the quantised RNN: its initial step, its dev accuracy, and the epoch loop of `run.ts`
 * (`trainEpochs`, the same as the TextCNN's). The same seed gives the same model.
 */
import { evaluationBatches, makeBatch, type EncodedExample } from './batches';
import type { TensorOps } from '../engine/ops';
import { initialRnnParameters, RnnTrainer, type RnnConfig, type RnnParameters } from './rnn';
import { trainEpochs, type EpochLoop, type TrainResult, type TrainSettings } from './run';

/** The result: the best epoch's parameters (by dev accuracy) and the history. */
export type RnnTrainResult = TrainResult<RnnParameters>;

/** Sentences are at least one token long (a silent one for an empty sentence). */
export const RNN_MIN_LENGTH = 1;

/** Logits `[examples][classes]` of a trainer, in the examples' order (no dropout). */
export async function rnnLogits<T>(trainer: RnnTrainer<T>, examples: readonly EncodedExample[], batchSize: number, maxTokens: number): Promise<Float32Array> {
  const K = trainer.config.classes;
  const out = new Float32Array(examples.length * K);
  for (const { indices, examples: chunk } of evaluationBatches(examples, batchSize)) {
    const logits = await trainer.logits(makeBatch(chunk, RNN_MIN_LENGTH, maxTokens));
    indices.forEach((index, b) => out.set(logits.subarray(b * K, (b + 1) * K), index * K));
  }
  return out;
}

/** Accuracy of a trainer on examples (no dropout). */
export async function rnnAccuracy<T>(trainer: RnnTrainer<T>, examples: readonly EncodedExample[], batchSize: number, maxTokens: number): Promise<number> {
  if (examples.length === 0) return 0;
  const K = trainer.config.classes;
  const logits = await rnnLogits(trainer, examples, batchSize, maxTokens);
  let correct = 0;
  examples.forEach((example, i) => {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits[i * K + k] > logits[i * K + best]) best = k;
    if (best === example.label) correct++;
  });
  return correct / examples.length;
}

/** Trains a quantised RNN on `train`, choosing the epoch by accuracy on `dev`. */
export async function trainRnn<T>(
  ops: TensorOps<T>,
  config: RnnConfig,
  probabilities: Float32Array,
  train: readonly EncodedExample[],
  dev: readonly EncodedExample[],
  settings: TrainSettings,
  log: (line: string) => void = () => {},
  recurrentScale = 0.5,
): Promise<RnnTrainResult> {
  const started = performance.now();
  const trainer = new RnnTrainer(ops, config, initialRnnParameters(config, settings.seed, recurrentScale), probabilities, settings.batchSize, settings.maxTokens);
  const step = await trainer.calibrateStep(makeBatch(train.slice(0, settings.batchSize), RNN_MIN_LENGTH, settings.maxTokens));
  if (config.activation.kind === 'quant') log(`quantiser: ${config.activation.levels} levels, initial step ${step.toPrecision(4)}`);
  // The table is frozen: the loop's table learning rate is unused.
  const loop: EpochLoop<RnnParameters> = {
    minLength: RNN_MIN_LENGTH,
    trainStep: (batch, iteration, seed, optimizer) => trainer.trainStep(batch, iteration, seed, optimizer),
    devAccuracy: () => rnnAccuracy(trainer, dev, settings.batchSize, settings.maxTokens),
    parameters: () => trainer.parameters(),
    describe: (parameters) => `step ${parameters.step.toPrecision(4)}`,
  };
  return trainEpochs(loop, train, { ...settings, tableLearningRate: 0 }, log, started);
}
