/**
 * From prepared sentences to a spiking TextCNN model, on any ops: the ANN is trained
 * (`trainTextCnn`), its activations calibrated on up to 2000 training sentences, and it is
 * converted (Su et al.'s lossless BIF, or Lv et al.'s IF with balanced thresholds). Pure code, so
 * `spikescope train` in Node and the app's Train view in a worker run exactly the same steps.
 */
import type { TrainActivation } from '../reference/activation-train';
import type { TensorOps } from '../engine/ops';
import type { ModelConfig } from '../model/format';
import type { TensorRecord } from '../model/safetensors';
import { seededPermutation, type EncodedExample } from './batches';
import { suBifModel } from './bif';
import { collectActivations, percentile } from './calibrate';
import { lvIfModel, type ModelProvenance } from './export';
import type { TrainCommandOptions } from './pipeline';
import type { PreparedVocabulary } from './prepare';
import { trainTextCnn, type TextCnnHooks, type TrainResult, type TrainSettings } from './run';
import { TextCnnTrainer, type TextCnnConfig } from './textcnn';

/** The options a TextCNN run reads (a subset of the CLI's). */
export type TextCnnOptions = Pick<
  TrainCommandOptions,
  | 'method'
  | 'seed'
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'weightDecay'
  | 'dropout'
  | 'filters'
  | 'widths'
  | 'maxTokens'
  | 'numSteps'
  | 'levels'
  | 'outputLevels'
  | 'thresholdPercentile'
  | 'outputPercentile'
  | 'outputReadout'
>;

/**
 * What training subtracts from the probabilities: ½ (the probability of x = μ) for a symmetric clip
 * range or a learned table, the table's mean probability for an asymmetric (sparse) or binary one.
 */
export function tableCentre(prepared: PreparedVocabulary): number {
  if (prepared.learned || (prepared.binarySigmas === undefined && prepared.clipLowSigmas === prepared.clipSigmas)) return 0.5;
  let sum = 0;
  for (const p of prepared.probabilities) sum += p;
  return Math.fround(sum / prepared.probabilities.length);
}

/** The network to train for a method: su-bif quantises the hidden layer and sums over positions; lv-if is a ReLU network that averages. */
export function textCnnConfigFor(prepared: PreparedVocabulary, classes: number, options: TextCnnOptions): TextCnnConfig {
  if (options.method !== 'su-bif' && options.method !== 'lv-if') throw new Error(`a TextCNN is trained by su-bif or lv-if, not ${options.method}`);
  const hidden: TrainActivation = options.method === 'su-bif' ? { kind: 'quant', levels: options.levels } : { kind: 'relu' };
  return {
    dim: prepared.dim,
    widths: options.widths,
    filters: options.filters,
    classes,
    hidden,
    pool: options.method === 'su-bif' ? 'sum' : 'avg',
    dropout: options.dropout,
    learnTable: prepared.learned,
    minLength: Math.max(...options.widths),
    centre: tableCentre(prepared),
  };
}

/** The optimiser's settings of a run (a learned table learns 3× faster: its rows are seldom updated). */
export function trainSettingsFor(options: TextCnnOptions): TrainSettings {
  return {
    seed: options.seed,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    tableLearningRate: options.learningRate * 3,
    weightDecay: options.weightDecay,
    maxTokens: options.maxTokens,
  };
}

/** A trained and converted model: the folder's contents and the ANN's run. */
export interface TrainedTextCnn {
  model: { config: ModelConfig; weights: Map<string, Float32Array | TensorRecord> };
  result: TrainResult;
}

/**
 * Trains the ANN TextCNN of `options.method` on `train` (epoch chosen on `dev`), calibrates and
 * converts it. `provenance` and `metrics` are given the finished run to describe it.
 */
export async function trainTextCnnModel<T>(
  ops: TensorOps<T>,
  args: {
    prepared: PreparedVocabulary;
    classes: string[];
    train: readonly EncodedExample[];
    dev: readonly EncodedExample[];
    options: TextCnnOptions;
    provenance: (result: TrainResult) => ModelProvenance;
    metrics: (result: TrainResult) => Record<string, unknown>;
    hooks?: TextCnnHooks;
    log?: (line: string) => void;
  },
): Promise<TrainedTextCnn> {
  const { prepared, classes, train, dev, options } = args;
  const log = args.log ?? (() => {});
  const config = textCnnConfigFor(prepared, classes.length, options);
  const result = await trainTextCnn(ops, config, prepared.probabilities, train, dev, trainSettingsFor(options), log, args.hooks);
  log(`best dev accuracy ${(100 * result.history[result.bestEpoch - 1].devAccuracy).toFixed(2)}% at epoch ${result.bestEpoch}; ${Math.round(result.seconds)} s of training`);
  const trainer = new TextCnnTrainer(ops, config, result.parameters, options.batchSize, options.maxTokens);
  const calibration = await collectActivations(trainer, calibrationSubset(train, options.seed), options.batchSize, options.maxTokens);
  const provenance = args.provenance(result);
  const metrics = args.metrics(result);
  const model =
    options.method === 'lv-if'
      ? lvIfModel({
          prepared,
          config,
          parameters: result.parameters,
          classes,
          lambdas: {
            conv: percentile(calibration.conv, options.thresholdPercentile),
            pooled: percentile(calibration.pooled, options.thresholdPercentile),
            logits: percentile(calibration.logits, options.outputPercentile),
          },
          percentiles: { conv: options.thresholdPercentile, pooled: options.thresholdPercentile, logits: options.outputPercentile },
          numSteps: options.numSteps,
          seed: options.seed,
          provenance,
          metrics,
        })
      : suBifModel({ prepared, config, parameters: result.parameters, classes, calibration, outputLevels: options.outputLevels, maxTokens: 1 + longestIds(train, dev), numSteps: options.numSteps, seed: options.seed, provenance, metrics, readout: options.outputReadout });
  return { model, result };
}

/** Up to 2000 training sentences (seeded) for threshold balancing. */
function calibrationSubset(train: readonly EncodedExample[], seed: number): EncodedExample[] {
  return seededPermutation(train.length, seed, 4242).slice(0, 2000).map((i) => train[i]);
}

/** Tokens of the longest example (a loop: spreading a large dataset into Math.max overflows the stack). */
function longestIds(...groups: readonly (readonly { ids: ArrayLike<number> }[])[]): number {
  let longest = 0;
  for (const group of groups) for (const example of group) if (example.ids.length > longest) longest = example.ids.length;
  return longest;
}
