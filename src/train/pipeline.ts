/**
 * `spikescope train` end to end: dataset → vocabulary → ANN training on the chosen backend →
 * conversion → model folder. Node only (reads the data, may open WebGPU).
 */
import { basename } from 'node:path';
import { devFromTrain, describeSplit } from '../data/split';
import type { Dataset, DatasetName } from '../data/dataset';
import { DATASETS } from '../data/dataset';
import { loadDataset } from '../data/load';
import { nodeGpu } from '../gpu/node-gpu';
import { loadModelDir, saveModelDir } from '../model/node-io';
import type { BackendChoice } from '../engine/types';
import { characterVocabulary, coverage, encodeExamples, vocabularyFromLearnedModel, type PreparedVocabulary } from './prepare';
import { gloveVocabulary } from './glove-vocabulary';
import type { TextCnnConfig } from './textcnn';
import { seededPermutation } from './batches';
import { textCnnConfigFor, trainTextCnnModel } from './textcnn-model';
import { openTrainOpsWith, type TrainOps } from './train-ops';
import { tokenize } from '../model/tokenizer';

/** `lv-if` and `su-bif` train a TextCNN (here); `su-rnn` a quantised RNN (`rnn-pipeline.ts`); `lite-snn` leaky neurons over the words (`lite-snn.ts`), `lstm` its baseline (`lstm-baseline.ts`). */
export type TrainMethod = 'lv-if' | 'su-bif' | 'su-rnn' | 'lite-snn' | 'lstm';

export interface TrainCommandOptions {
  dataset: DatasetName;
  dataDir?: string;
  method: TrainMethod;
  out: string;
  seed: number;
  splitSeed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  dropout: number;
  filters: number;
  widths: number[];
  /** Chinese: dimension of the learned character table. */
  characterDim: number;
  maxTokens: number;
  /** Train on at most this many sentences (a seeded subset), 0 = all. */
  trainLimit: number;
  backend: BackendChoice;
  numSteps: number;
  /** su-bif: quantisation levels of the hidden layer and of the output layer. */
  levels: number;
  outputLevels: number;
  /** su-bif: BIF output neurons (`spikes`), or the classifier's currents summed over T (`membrane`). */
  outputReadout?: 'spikes' | 'membrane';
  /** lv-if: percentile of ANN activations used as thresholds of the hidden layers, and of the output. */
  thresholdPercentile: number;
  outputPercentile: number;
  clipSigmas: number;
  /** Lower end of the clip range in σ (0: sparse input, p = 0 below the mean). */
  clipLowSigmas: number;
  /** su-bif, English: binary input, one spike per component at or above μ + kB·σ (undefined: analog). */
  binarySigmas?: number;
  /** English: keep GloVe's this many most frequent words plus the dataset's words (0: all 65k). */
  vocabularyLimit?: number;
  /** A model folder whose learned table to take, frozen (binary with `binarySigmas`), instead of GloVe or a new table. */
  tableFrom?: string;
  command: string;
  name?: string;
}

/** Opens the training ops of a backend choice in Node (see `openTrainOpsWith`). */
export function openTrainOps(choice: BackendChoice): Promise<TrainOps> {
  return openTrainOpsWith(choice, nodeGpu);
}

/** The dataset with a dev set (the corpus's own, or a seeded 10 % of train). */
export async function datasetWithDev(name: DatasetName, dataDir: string | undefined, splitSeed: number): Promise<Dataset> {
  const dataset = await loadDataset(name, { dataDir, seed: splitSeed });
  return dataset.dev ? dataset : devFromTrain(dataset, 0.1, splitSeed);
}

/** The split as recorded in a model, so that `eval` can rebuild exactly the same test sentences. */
export function recordedSplit(dataset: Dataset): Record<string, unknown> {
  return dataset.split.kind === 'seeded'
    ? { kind: 'seeded', seed: dataset.split.seed, testFraction: dataset.split.testFraction, testIndices: dataset.split.testIndices }
    : { kind: 'given' };
}

export async function prepareVocabulary(
  dataset: Dataset,
  options: Pick<TrainCommandOptions, 'dataDir' | 'characterDim' | 'seed' | 'clipSigmas' | 'clipLowSigmas' | 'binarySigmas' | 'vocabularyLimit' | 'tableFrom'>,
): Promise<PreparedVocabulary> {
  if (options.tableFrom !== undefined) {
    const model = await loadModelDir(options.tableFrom);
    const tokenizer = DATASETS[dataset.name].language === 'zh' ? 'chinese' : 'english';
    if (model.config.tokenizer !== tokenizer) throw new Error(`${options.tableFrom} reads ${model.config.tokenizer} tokens; ${dataset.name} needs ${tokenizer} ones`);
    return vocabularyFromLearnedModel(model, options.binarySigmas);
  }
  if (DATASETS[dataset.name].language === 'zh') {
    if (options.binarySigmas !== undefined) throw new Error('binary input needs a frozen table (English GloVe); Chinese character tables are learned');
    return characterVocabulary(dataset.train, options.characterDim, 2, options.seed);
  }
  const keep = new Set<string>();
  if (options.vocabularyLimit) {
    for (const example of [...dataset.train, ...(dataset.dev ?? []), ...dataset.test]) for (const token of tokenize(example.text, 'english')) keep.add(token);
  }
  return gloveVocabulary(options.dataDir, {
    clipSigmas: options.clipSigmas,
    clipLowSigmas: options.clipLowSigmas,
    binarySigmas: options.binarySigmas,
    limit: options.vocabularyLimit,
    keep,
  });
}

export { tableCentre } from './textcnn-model';

/**
 * The data of a training command: the dataset (with a dev split), its vocabulary, the encoded
 * training sentences (a seeded subset of `trainLimit` when given) and the dev sentences, logged.
 */
export async function trainingData(options: TrainCommandOptions, log: (line: string) => void) {
  const dataset = await datasetWithDev(options.dataset, options.dataDir, options.splitSeed);
  log(`${DATASETS[dataset.name].title}: ${describeSplit(dataset)}`);
  const prepared = await prepareVocabulary(dataset, options);
  let train = encodeExamples(dataset.train, prepared);
  if (options.trainLimit > 0 && train.length > options.trainLimit) {
    train = seededPermutation(train.length, options.seed, 999).slice(0, options.trainLimit).sort((a, b) => a - b).map((i) => train[i]);
    log(`training on a seeded subset of ${train.length} sentences`);
  }
  const dev = encodeExamples(dataset.dev ?? [], prepared);
  log(`vocabulary ${prepared.vocabulary.size} ${prepared.learned ? 'characters (learned table)' : options.tableFrom !== undefined ? `tokens (${prepared.source})` : 'words (GloVe, frozen)'}; token coverage train ${(100 * coverage(train)).toFixed(1)}%, dev ${(100 * coverage(dev)).toFixed(1)}%`);
  return { dataset, prepared, train, dev };
}

/** Trains, converts and saves a model; returns a summary for the terminal. */
export async function runTrainCommand(options: TrainCommandOptions, log: (line: string) => void): Promise<void> {
  if (options.method === 'su-rnn') throw new Error('--method su-rnn trains a recurrent network: run it with runRnnTrainCommand (rnn-pipeline.ts)');
  if (options.binarySigmas !== undefined && options.method !== 'su-bif') throw new Error('binary input is for --method su-bif (one spike per component, converted losslessly)');
  const { dataset, prepared, train, dev } = await trainingData(options, log);
  const backend = await openTrainOps(options.backend);
  log(`training the ANN on ${backend.detail}: ${options.epochs} epochs of ${Math.ceil(train.length / options.batchSize)} batches of ${options.batchSize}`);
  try {
    const config = textCnnConfigFor(prepared, dataset.classes.length, options);
    const { model } = await trainTextCnnModel(backend.ops, {
      prepared,
      classes: dataset.classes,
      train,
      dev,
      options,
      log,
      provenance: (result) => ({
        name: options.name ?? defaultName(dataset, options.method, options.binarySigmas !== undefined),
        description: describeModel(dataset, options, config),
        command: options.command,
        dataset: dataset.name,
        split: describeSplit(dataset),
        seed: options.seed,
        notes: [
          `ANN: ${result.bestEpoch}/${options.epochs} epochs chosen by dev accuracy (${(100 * result.history[result.bestEpoch - 1].devAccuracy).toFixed(2)}%), ${Math.round(result.seconds)} s on ${backend.detail}`,
          options.trainLimit > 0 ? `trained on a seeded subset of ${train.length} sentences` : '',
        ].filter(Boolean).join('; '),
      }),
      metrics: (result) => ({ dataset: dataset.name, testSplit: recordedSplit(dataset), training: { history: result.history, bestEpoch: result.bestEpoch, seconds: result.seconds } }),
    });
    await saveModelDir(options.out, model.config, model.weights);
    log(`wrote ${options.out}`);
  } finally {
    backend.close();
  }
}

function defaultName(dataset: Dataset, method: TrainMethod, binary: boolean): string {
  const title = DATASETS[dataset.name].title.split(' (')[0];
  if (method === 'lv-if') return `${title} spiking TextCNN (IF, Lv et al.: rate or direct input)`;
  return binary ? `${title} spiking TextCNN (BIF, binary input)` : `${title} spiking TextCNN (BIF, lossless)`;
}

function describeModel(dataset: Dataset, options: TrainCommandOptions, config: TextCnnConfig): string {
  const frozen = options.tableFrom !== undefined ? `the ${config.dim}-d table learned by ${basename(options.tableFrom)} (frozen)` : '100-d GloVe vectors (frozen)';
  const input = config.learnTable
    ? `a learned ${config.dim}-d character table`
    : options.binarySigmas !== undefined
      ? `${frozen} made binary (1 at or above μ + ${options.binarySigmas}σ of the table: one input spike per such component)`
      : frozen;
  const method =
    options.method === 'lv-if'
      ? 'ANN TextCNN converted to integrate-and-fire neurons with balanced thresholds, rate-encoded input (Lv et al.)'
      : `quantised ANN (${options.levels} levels, learned step) converted losslessly to bipolar integrate-and-fire neurons, ${options.binarySigmas !== undefined ? 'binary input spikes' : 'analog input'} presented once (Su et al.)${options.outputReadout === 'membrane' ? '; the classifier\'s currents summed over T are the scores (no output neurons)' : ''}`;
  return `${DATASETS[dataset.name].title}: TextCNN over ${input}, widths ${config.widths.join('/')} × ${config.filters} filters; ${method}.`;
}
