import { backendChoice } from './node-engine';
import { choiceFlag, commandLine, parseFlags } from './flags';
import { isDatasetName } from '../data/dataset';
import { DATASET_NAMES } from '../data/dataset';
import { runTrainCommand, type TrainCommandOptions, type TrainMethod } from '../train/pipeline';
import { runRnnTrainCommand } from '../train/rnn-pipeline';
import { runLiteSnnTrainCommand } from '../train/lite-snn';
import { runLstmTrainCommand } from '../train/lstm-baseline';
import { UsageError } from './errors';
import { runTrainFile } from './train-file';

export const TRAIN_USAGE = `train    --dataset mr|sst2|sst5|subj|chnsenticorp|waimai --out DIR [--method lv-if|su-bif|su-rnn|lite-snn|lstm] [--data-dir DIR]
           [--seed N] [--split-seed N] [--epochs N] [--batch N] [--lr X] [--filters N] [--max-tokens N]
           [--train-limit N] [--levels L] [--output-levels L] [--steps T] [--percentile P] [--output-percentile P]
           [--clip-low-sigmas K] [--binary-input K] [--vocabulary N] [--table-from MODEL_DIR]
           [--backend auto|gpu|cpu|reference] [--hidden H] [--recurrent-scale X]
           [--steps-per-word T] [--layers N] [--schedule constant|cosine] [--readout membrane|spikes]
           [--population N] [--rate-scale X]
           [--surrogate piecewise-linear|fast-sigmoid]
           train an ANN TextCNN (su-rnn: a quantised RNN over the tokens, H recurrent units) on the
           dataset and convert it to a spiking model folder; lite-snn trains leaky neurons over the
           words (H of them, T steps per word) directly as a spiking network; lstm its baseline, an LSTM
           of H units; --readout membrane (lite-snn, su-bif) makes the classifier's currents summed over T
           the scores, with no output neurons; --table-from takes the learned table of a trained model,
           frozen (with --binary-input K: one input spike per component at or above that table's μ + Kσ)
  train    --file F.csv|F.tsv|F.txt [--file G …] --out DIR [--method su-bif|lv-if] [--table glove|characters]
           [--epochs N] [--levels L] [--steps T] [--lr X] [--seed N] [--dev-fraction F]
           [--text-column N --label-column N] [--embedding-from MODEL_DIR] [--backend auto|gpu|cpu|reference] [--name TEXT]
           a spiking classifier from your own labelled texts (a table with a header, \`LABEL TEXT\` lines, or
           one file per class), the same steps as the app's Train view; writes the folder with its card`;

function numberFlag(name: string, value: string | undefined, fallback: number, min: number, max: number, integer = true): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || (integer && !Number.isInteger(number)) || number < min || number > max) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got '${value}'`);
  }
  return number;
}

function scheduleFlag(value: string | undefined): 'constant' | 'cosine' {
  return choiceFlag('schedule', value, ['constant', 'cosine'], 'constant');
}

function readoutFlag(value: string | undefined): 'membrane' | 'spikes' {
  return choiceFlag('readout', value, ['membrane', 'spikes'], 'membrane');
}

/** `spikescope train`: see TRAIN_USAGE. Defaults reproduce the shipped models. */
export async function runTrain(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, {
    dataset: { type: 'string' },
    'data-dir': { type: 'string' },
    method: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    'split-seed': { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    'weight-decay': { type: 'string' },
    dropout: { type: 'string' },
    filters: { type: 'string' },
    widths: { type: 'string' },
    'char-dim': { type: 'string' },
    'max-tokens': { type: 'string' },
    'train-limit': { type: 'string' },
    levels: { type: 'string' },
    'output-levels': { type: 'string' },
    steps: { type: 'string' },
    percentile: { type: 'string' },
    'output-percentile': { type: 'string' },
    'clip-sigmas': { type: 'string' },
    'clip-low-sigmas': { type: 'string' },
    'binary-input': { type: 'string' },
    'table-from': { type: 'string' },
    vocabulary: { type: 'string' },
    backend: { type: 'string' },
    hidden: { type: 'string' },
    'recurrent-scale': { type: 'string' },
    'steps-per-word': { type: 'string' },
    population: { type: 'string' },
    'rate-scale': { type: 'string' },
    surrogate: { type: 'string' },
    beta: { type: 'string' },
    threshold: { type: 'string' },
    readout: { type: 'string' },
    layers: { type: 'string' },
    schedule: { type: 'string' },
    name: { type: 'string' },
    file: { type: 'string', multiple: true },
    table: { type: 'string' },
    'dev-fraction': { type: 'string' },
    'text-column': { type: 'string' },
    'label-column': { type: 'string' },
    'embedding-from': { type: 'string' },
  });
  const v = parsed.values;
  if (v.file) {
    if (v.dataset) throw new UsageError('give --dataset or --file, not both');
    const allowed = new Set(['file', 'out', 'method', 'table', 'epochs', 'levels', 'steps', 'lr', 'seed', 'dev-fraction', 'text-column', 'label-column', 'embedding-from', 'data-dir', 'backend', 'name']);
    const other = Object.keys(v).filter((key) => !allowed.has(key));
    if (other.length) throw new UsageError(`train --file does not take --${other.join(', --')}`);
    return runTrainFile({ ...v, file: v.file }, argv);
  }
  if (!v.dataset || !isDatasetName(v.dataset)) throw new UsageError(`train needs --dataset, one of ${DATASET_NAMES.join(', ')}`);
  if (!v.out) throw new UsageError('train needs --out DIR, the model folder to write');
  const method = (v.method ?? 'lv-if') as TrainMethod;
  if (!(['lv-if', 'su-bif', 'su-rnn', 'lite-snn', 'lstm'] as const).includes(method)) throw new UsageError(`--method must be lv-if, su-bif, su-rnn, lite-snn or lstm, got '${v.method}'`);
  const lite = method === 'lite-snn';
  if (lite && v.steps !== undefined && v['steps-per-word'] !== undefined) throw new UsageError('give --steps-per-word or --steps, not both');
  const backend = backendChoice(v.backend);
  const widths = (v.widths ?? '3,4,5').split(',').map((w) => numberFlag('widths', w, 3, 1, 20));
  const chinese = v.dataset === 'chnsenticorp' || v.dataset === 'waimai';
  const options: TrainCommandOptions = {
    dataset: v.dataset,
    dataDir: v['data-dir'],
    method,
    out: v.out,
    seed: numberFlag('seed', v.seed, 1, 0, 0xffffffff),
    splitSeed: numberFlag('split-seed', v['split-seed'], 1, 0, 0xffffffff),
    epochs: numberFlag('epochs', v.epochs, lite || method === 'lstm' ? 10 : 6, 1, 1000),
    batchSize: numberFlag('batch', v.batch, lite || method === 'lstm' ? 32 : 50, 1, 4096),
    learningRate: numberFlag('lr', v.lr, 3e-3, 0, 1, false),
    weightDecay: numberFlag('weight-decay', v['weight-decay'], 1e-2, 0, 1, false),
    dropout: numberFlag('dropout', v.dropout, lite ? 0 : 0.5, 0, 0.95, false),
    filters: numberFlag('filters', v.filters, 100, 1, 4096),
    widths,
    characterDim: numberFlag('char-dim', v['char-dim'], 64, 1, 1024),
    maxTokens: numberFlag('max-tokens', v['max-tokens'], chinese ? 96 : 64, Math.max(...widths), 4096),
    trainLimit: numberFlag('train-limit', v['train-limit'], 0, 0, 1e9),
    backend,
    numSteps: lite ? numberFlag('steps-per-word', v['steps-per-word'] ?? v.steps, 4, 1, 64) : numberFlag('steps', v.steps, 16, 1, 1000),
    levels: numberFlag('levels', v.levels, 4, 2, 256),
    outputLevels: numberFlag('output-levels', v['output-levels'], 64, 2, 1024),
    outputReadout: method === 'su-bif' && v.readout !== undefined ? readoutFlag(v.readout) : undefined,
    thresholdPercentile: numberFlag('percentile', v.percentile, 99.9, 50, 100, false),
    outputPercentile: numberFlag('output-percentile', v['output-percentile'], 50, 1, 100, false),
    clipSigmas: numberFlag('clip-sigmas', v['clip-sigmas'], 3, 0.1, 100, false),
    clipLowSigmas: numberFlag('clip-low-sigmas', v['clip-low-sigmas'], numberFlag('clip-sigmas', v['clip-sigmas'], 3, 0.1, 100, false), 0, 100, false),
    binarySigmas: v['binary-input'] === undefined ? undefined : numberFlag('binary-input', v['binary-input'], 0, -10, 10, false),
    vocabularyLimit: numberFlag('vocabulary', v.vocabulary, 0, 0, 1e7),
    tableFrom: v['table-from'],
    command: commandLine('train', argv),
    name: v.name,
  };
  const log = (line: string) => console.log(line);
  if (method === 'lstm') {
    await runLstmTrainCommand({ ...options, hidden: numberFlag('hidden', v.hidden, 128, 1, 512) }, log);
  } else if (lite) {
    const surrogate = v.surrogate ?? 'piecewise-linear';
    if (surrogate !== 'piecewise-linear' && surrogate !== 'fast-sigmoid') throw new UsageError(`--surrogate must be piecewise-linear or fast-sigmoid, got '${surrogate}'`);
    await runLiteSnnTrainCommand(
      {
        ...options,
        hidden: numberFlag('hidden', v.hidden, 256, 1, 4096),
        population: numberFlag('population', v.population, 10, 1, 256),
        rateScale: numberFlag('rate-scale', v['rate-scale'], readoutFlag(v.readout) === 'spikes' ? 5 : 1, 0.01, 1000, false),
        surrogate: surrogate === 'fast-sigmoid' ? { kind: 'fast-sigmoid', slope: 25 } : { kind: 'piecewise-linear' },
        beta: numberFlag('beta', v.beta, 0.95, 0.01, 1, false),
        vThreshold: numberFlag('threshold', v.threshold, 1, 0.01, 100, false),
        readout: readoutFlag(v.readout),
        depth: numberFlag('layers', v.layers, 1, 1, 8),
        schedule: scheduleFlag(v.schedule),
      },
      log,
    );
  } else if (method === 'su-rnn') {
    const hidden = numberFlag('hidden', v.hidden, 128, 1, 2048);
    await runRnnTrainCommand({ ...options, hidden, recurrentScale: numberFlag('recurrent-scale', v['recurrent-scale'], 0.5, 0, 10, false) }, log);
  } else await runTrainCommand(options, log);
  return 0;
}
