/**
 * `spikescope train --method su-rnn` end to end: dataset → vocabulary (frozen GloVe) → quantised RNN
 * training on the chosen backend → lossless conversion to token-recurrent BIF neurons → model folder.
 * Node only (reads the data, may open WebGPU).
 */
import { DATASETS, type Dataset } from '../data/dataset';
import { describeSplit } from '../data/split';
import { saveModelDir } from '../model/node-io';
import { seededPermutation } from './batches';
import { openTrainOps, recordedSplit, tableCentre, trainingData, type TrainCommandOptions } from './pipeline';
import { RnnTrainer, type RnnConfig } from './rnn';
import { suBifRnnModel } from './rnn-bif';
import { rnnLogits, trainRnn } from './rnn-run';
import type { TrainSettings } from './run';

/** The train command's options with the RNN's own. */
export interface RnnTrainCommandOptions extends TrainCommandOptions {
  /** Hidden units H of the recurrent layer (≤ 256 keeps the kernels' workgroup memory small). */
  hidden: number;
  /** U starts uniform in ±recurrentScale / √H. */
  recurrentScale: number;
}

/** The largest class-centred logit of each sentence: what the output quantiser is calibrated on. */
export function centredMaxLogits(logits: Float32Array, classes: number): Float32Array {
  const sentences = logits.length / classes;
  return Float32Array.from({ length: sentences }, (_, i) => {
    let mean = 0;
    for (let k = 0; k < classes; k++) mean += logits[i * classes + k] / classes;
    let top = -Infinity;
    for (let k = 0; k < classes; k++) top = Math.max(top, logits[i * classes + k] - mean);
    return top;
  });
}

/** Trains, converts and saves a quantised RNN as a token-recurrent BIF model. */
export async function runRnnTrainCommand(options: RnnTrainCommandOptions, log: (line: string) => void): Promise<void> {
  if (DATASETS[options.dataset].language === 'zh') throw new Error('--method su-rnn trains over a frozen table (English GloVe); this dataset learns its character table');
  const { dataset, prepared, train, dev } = await trainingData(options, log);
  const config: RnnConfig = {
    dim: prepared.dim,
    hidden: options.hidden,
    classes: dataset.classes.length,
    activation: { kind: 'quant', levels: options.levels },
    dropout: options.dropout,
    centre: tableCentre(prepared),
  };
  const settings: TrainSettings = {
    seed: options.seed,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    tableLearningRate: 0,
    weightDecay: options.weightDecay,
    maxTokens: options.maxTokens,
  };
  const backend = await openTrainOps(options.backend);
  log(`training the quantised RNN (hidden ${config.hidden}, ${options.levels} levels) on ${backend.detail}: ${options.epochs} epochs of ${Math.ceil(train.length / options.batchSize)} batches of ${options.batchSize}`);
  try {
    const result = await trainRnn(backend.ops, config, prepared.probabilities, train, dev, settings, log, options.recurrentScale);
    const bestDev = result.history[result.bestEpoch - 1].devAccuracy;
    log(`best dev accuracy ${(100 * bestDev).toFixed(2)}% at epoch ${result.bestEpoch}; ${Math.round(result.seconds)} s of training`);
    const trainer = new RnnTrainer(backend.ops, config, result.parameters, prepared.probabilities, options.batchSize, options.maxTokens);
    const calibration = seededPermutation(train.length, options.seed, 4242).slice(0, 2000).map((i) => train[i]);
    const maxLogits = centredMaxLogits(await rnnLogits(trainer, calibration, options.batchSize, options.maxTokens), config.classes);
    const provenance = {
      name: options.name ?? `${DATASETS[dataset.name].title.split(' (')[0]} spiking RNN (BIF, lossless)`,
      description: describeRnn(dataset, options, config),
      command: options.command,
      dataset: dataset.name,
      split: describeSplit(dataset),
      seed: options.seed,
      notes: [
        `ANN: ${result.bestEpoch}/${options.epochs} epochs chosen by dev accuracy (${(100 * bestDev).toFixed(2)}%), ${Math.round(result.seconds)} s on ${backend.detail}`,
        options.trainLimit > 0 ? `trained on a seeded subset of ${train.length} sentences` : '',
      ].filter(Boolean).join('; '),
    };
    const metrics = { dataset: dataset.name, testSplit: recordedSplit(dataset), training: { history: result.history, bestEpoch: result.bestEpoch, seconds: result.seconds } };
    const longest = 1 + longestIds(train, dev);
    const model = suBifRnnModel({
      prepared,
      config,
      parameters: result.parameters,
      classes: dataset.classes,
      maxLogits,
      outputLevels: options.outputLevels,
      maxTokens: longest,
      numSteps: options.numSteps,
      seed: options.seed,
      provenance,
      metrics,
    });
    await saveModelDir(options.out, model.config, model.weights);
    log(`wrote ${options.out}`);
  } finally {
    backend.close();
  }
}

function describeRnn(dataset: Dataset, options: RnnTrainCommandOptions, config: RnnConfig): string {
  const input =
    options.binarySigmas !== undefined
      ? `100-d GloVe vectors (frozen) made binary (1 at or above μ + ${options.binarySigmas}σ: one input spike per such component)`
      : '100-d GloVe vectors (frozen)';
  return `${DATASETS[dataset.name].title}: recurrent network over the tokens of ${input}, a per-token linear layer and ${config.hidden} recurrent units, summed over the tokens; quantised ANN (${options.levels} levels, learned step) converted losslessly to token-recurrent bipolar integrate-and-fire neurons, each token getting its own window of T steps, analog input presented once (Su et al.).`;
}

/** Tokens of the longest example (a loop: spreading a large dataset into Math.max overflows the stack). */
function longestIds(...groups: readonly { ids: ArrayLike<number> }[][]): number {
  let longest = 0;
  for (const group of groups) for (const example of group) if (example.ids.length > longest) longest = example.ids.length;
  return longest;
}
