/**
 * The fine-tuning loop of a spiking network (any graph of layers that train), written once for both backends: seeded length-pooled
 * batches, fresh input spikes at every step (seeded), AdamW at a constant learning rate, progress on
 * a log callback, the SNN's dev accuracy after every epoch, and the weights of the best epoch. The
 * converted model itself is epoch 0 and a candidate, so fine-tuning never returns weights that do
 * worse on dev than the ones it started from.
 */
import { InputError } from '../engine/errors';
import type { Surrogate } from '../reference/neuron-backward';
import { epochBatches, makeBatch, type EncodedExample } from './batches';
import { GraphTrainer, type SpikingStepSettings, type TrainerOptions } from './graph-trainer';
import type { NetworkSpec } from '../model/spec';
import type { TensorOps } from '../engine/ops';
import { formatDuration } from './run';

/** How to fine-tune. */
export interface FinetuneSettings extends SpikingStepSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  numSteps: number;
  /** Longest sentence seen in training (longer ones are cut; evaluation reads them whole). */
  maxTokens: number;
  /** The trainer's options (the SNN mode by default; a learned table, the rate's scale, dropout). */
  trainer?: Partial<TrainerOptions>;
  /** `cosine`: the learning rate falls from its value to 0 over all steps (½(1 + cos πk/K)); default constant. */
  schedule?: 'constant' | 'cosine';
  /** `best` (default): the epoch with the best dev accuracy, epoch 0 included; `last`: the last epoch's weights, whatever dev says. */
  keep?: 'best' | 'last';
}

/** What one epoch measured; epoch 0 is the model before fine-tuning (no training numbers). */
export interface FinetuneEpoch {
  epoch: number;
  trainLoss: number | null;
  trainAccuracy: number | null;
  /** The SNN's dev accuracy at the fine-tuning T, rate input (the selection criterion). */
  devAccuracy: number;
  /** The ANN twin's dev accuracy (the same weights with activations for neurons), for reference. */
  devAnnAccuracy: number;
  seconds: number;
}

/** The best epoch's weights (by the SNN's dev accuracy, epoch 0 included) and the history. */
export interface FinetuneResult {
  /** The trained tensors by their stored names. */
  weights: Map<string, Float32Array>;
  /** The learned input table of the kept epoch (when the trainer learns it). */
  table: Float32Array | null;
  /** The network with the kept epoch's learned leaks and thresholds. */
  spec: NetworkSpec;
  bestEpoch: number;
  history: FinetuneEpoch[];
  /** Optimisation steps taken. */
  steps: number;
  seconds: number;
}

/** What `model.json` records of a fine-tuning run (`metrics.finetune`), read by the card. */
export interface FinetuneRecord {
  /** `lite-snn`, `lstm`: trained from random weights (epoch 0 is the untrained network); absent: fine-tuning a converted model. */
  method?: 'lite-snn' | 'lstm';
  /** The input during training (absent: rate). */
  encoding?: 'rate' | 'direct';
  /** The learning rate's schedule (absent: constant). */
  schedule?: 'constant' | 'cosine';
  /** `last`: the last epoch was kept whatever dev said (absent: the best on dev). */
  keep?: 'last';
  command: string;
  backend: string;
  numSteps: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  surrogate: Surrogate;
  loss: string;
  maxTokens: number;
  seed: number;
  trainSize: number;
  devSize: number;
  /** The seeds of the dev evaluation (its accuracy is their mean). */
  devSeeds: number[];
  epochs: number;
  steps: number;
  bestEpoch: number;
  history: FinetuneEpoch[];
  seconds: number;
}

/** Dev accuracies of some weights: the SNN's (the selection criterion) and its ANN twin's. */
export type DevEvaluator = (weights: Map<string, Float32Array>, spec: NetworkSpec, table: Float32Array | null) => Promise<{ snnAccuracy: number; annAccuracy: number }>;

/** What fine-tuning needs of a model: its network, weights by stored name and firing probabilities. */
export interface TrainableModel {
  spec: NetworkSpec;
  weights: Map<string, Float32Array>;
  probabilities: Float32Array;
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

/** The learning rate of optimisation step `step` of `steps`: constant, or `lr · ½(1 + cos πk/K)` on a cosine schedule. */
export function learningRateAt(settings: Pick<FinetuneSettings, 'learningRate' | 'schedule'>, step: number, steps: number): number {
  return settings.schedule === 'cosine' ? settings.learningRate * 0.5 * (1 + Math.cos((Math.PI * step) / steps)) : settings.learningRate;
}

/** Fine-tunes the model's weights on `train` by BPTT (`GraphTrainer`), choosing the epoch (0 = unchanged) by `evaluate`. */
export async function finetuneSpiking<T>(
  ops: TensorOps<T>,
  model: TrainableModel,
  train: readonly EncodedExample[],
  settings: FinetuneSettings,
  evaluate: DevEvaluator,
  log: (line: string) => void = () => {},
): Promise<FinetuneResult> {
  const started = performance.now();
  const trainer = new GraphTrainer(ops, model.spec, model.weights, model.probabilities, settings.numSteps, settings.batchSize, settings.maxTokens, { mode: 'snn', ...settings.trainer } as TrainerOptions);
  const snapshot = async () => ({ weights: await trainer.weights(), spec: await trainer.trainedSpec(), table: settings.trainer?.table?.learn ? ((await trainer.paramValues()).get('table') ?? null) : null });
  const initial = await snapshot();
  const before = await evaluate(initial.weights, initial.spec, initial.table);
  const history: FinetuneEpoch[] = [
    { epoch: 0, trainLoss: null, trainAccuracy: null, devAccuracy: before.snnAccuracy, devAnnAccuracy: before.annAccuracy, seconds: (performance.now() - started) / 1000 },
  ];
  log(`epoch 0 (as converted): dev SNN acc ${percent(before.snnAccuracy)} at T=${settings.numSteps}, ANN twin ${percent(before.annAccuracy)}`);
  let best = { accuracy: before.snnAccuracy, epoch: 0, ...initial };
  const batchesPerEpoch = Math.ceil(train.length / settings.batchSize);
  const totalBatches = batchesPerEpoch * settings.epochs;
  const trainingStarted = performance.now();
  let iteration = 0;
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    const epochStarted = performance.now();
    let loss = 0;
    let correct = 0;
    let seen = 0;
    let lastLog = performance.now();
    const batches = epochBatches(train, settings.batchSize, settings.seed, epoch);
    for (const [index, examples] of batches.entries()) {
      const learningRate = learningRateAt(settings, iteration, totalBatches);
      const result = await trainer.trainStep(makeBatch(examples, trainer.minLength, settings.maxTokens), iteration, settings.seed, { ...settings, learningRate });
      iteration++;
      loss += result.loss;
      correct += result.correct;
      seen += examples.length;
      if (!Number.isFinite(loss)) throw new InputError(`the loss became ${loss} at step ${iteration}; lower the learning rate`);
      if (performance.now() - lastLog > 10_000 || index === batches.length - 1 || index === 0) {
        lastLog = performance.now();
        const elapsed = (performance.now() - trainingStarted) / 1000;
        const left = (elapsed / iteration) * (totalBatches - iteration);
        log(`epoch ${epoch}/${settings.epochs}  batch ${index + 1}/${batches.length}  loss ${(loss / seen).toFixed(4)}  train acc ${((100 * correct) / seen).toFixed(1)}%  ${(elapsed / iteration).toFixed(1)} s/batch  elapsed ${formatDuration(elapsed)}  left ~${formatDuration(left)}`);
      }
    }
    const current = await snapshot();
    const dev = await evaluate(current.weights, current.spec, current.table);
    const record: FinetuneEpoch = {
      epoch,
      trainLoss: loss / seen,
      trainAccuracy: correct / seen,
      devAccuracy: dev.snnAccuracy,
      devAnnAccuracy: dev.annAccuracy,
      seconds: (performance.now() - epochStarted) / 1000,
    };
    history.push(record);
    log(`epoch ${epoch}/${settings.epochs} done: train loss ${record.trainLoss!.toFixed(4)}, train acc ${percent(record.trainAccuracy!)}, dev SNN acc ${percent(dev.snnAccuracy)} (ANN twin ${percent(dev.annAccuracy)}) (${record.seconds.toFixed(0)} s)`);
    if (dev.snnAccuracy > best.accuracy || (settings.keep === 'last' && epoch === settings.epochs)) best = { accuracy: dev.snnAccuracy, epoch, ...current };
  }
  return { weights: best.weights, table: best.table, spec: best.spec, bestEpoch: best.epoch, history, steps: iteration, seconds: (performance.now() - started) / 1000 };
}
