/**
 * The training loop of the quantised RNN, as `run.ts` for the TextCNN: seeded shuffling,
 * length-pooled batches, AdamW with a cosine-decayed learning rate, progress on a log callback, dev
 * accuracy after every epoch, and the parameters of the best epoch. The same seed gives the same model.
 */
import { epochBatches, evaluationBatches, makeBatch, type EncodedExample } from './batches';
import type { TrainOps } from './ops';
import { initialRnnParameters, RnnTrainer, type RnnConfig, type RnnParameters } from './rnn';
import type { EpochRecord, TrainSettings } from './run';

/** The result: the best epoch's parameters (by dev accuracy) and the history. */
export interface RnnTrainResult {
  parameters: RnnParameters;
  bestEpoch: number;
  history: EpochRecord[];
  seconds: number;
}

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

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** Trains a quantised RNN on `train`, choosing the epoch by accuracy on `dev`. */
export async function trainRnn<T>(
  ops: TrainOps<T>,
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
  const history: EpochRecord[] = [];
  let best: { accuracy: number; epoch: number; parameters: RnnParameters } | null = null;
  const batchesPerEpoch = Math.ceil(train.length / settings.batchSize);
  const totalBatches = batchesPerEpoch * settings.epochs;
  let iteration = 0;
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    const epochStarted = performance.now();
    let loss = 0;
    let correct = 0;
    let seen = 0;
    let lastLog = performance.now();
    const batches = epochBatches(train, settings.batchSize, settings.seed, epoch);
    for (const [index, examples] of batches.entries()) {
      // Cosine decay from the learning rate to a tenth of it over the whole run.
      const progress = iteration / Math.max(1, totalBatches - 1);
      const decay = 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress));
      const result = await trainer.trainStep(makeBatch(examples, RNN_MIN_LENGTH, settings.maxTokens), iteration, settings.seed, {
        learningRate: settings.learningRate * decay,
        tableLearningRate: 0,
        weightDecay: settings.weightDecay,
      });
      iteration++;
      loss += result.loss;
      correct += result.correct;
      seen += examples.length;
      if (performance.now() - lastLog > 10_000 || index === batches.length - 1) {
        lastLog = performance.now();
        const elapsed = (performance.now() - started) / 1000;
        const left = (elapsed / iteration) * (totalBatches - iteration);
        log(`epoch ${epoch}/${settings.epochs}  batch ${index + 1}/${batches.length}  loss ${(loss / seen).toFixed(4)}  train acc ${((100 * correct) / seen).toFixed(1)}%  elapsed ${formatDuration(elapsed)}  left ~${formatDuration(left)}`);
      }
    }
    const devAccuracy = await rnnAccuracy(trainer, dev, settings.batchSize, settings.maxTokens);
    const record = { epoch, trainLoss: loss / seen, trainAccuracy: correct / seen, devAccuracy, seconds: (performance.now() - epochStarted) / 1000 };
    history.push(record);
    const parameters = await trainer.parameters();
    log(`epoch ${epoch}/${settings.epochs} done: train loss ${record.trainLoss.toFixed(4)}, train acc ${(100 * record.trainAccuracy).toFixed(1)}%, dev acc ${(100 * devAccuracy).toFixed(2)}%, step ${parameters.step.toPrecision(4)} (${record.seconds.toFixed(0)} s)`);
    if (!best || devAccuracy > best.accuracy) best = { accuracy: devAccuracy, epoch, parameters };
  }
  return { parameters: best!.parameters, bestEpoch: best!.epoch, history, seconds: (performance.now() - started) / 1000 };
}
