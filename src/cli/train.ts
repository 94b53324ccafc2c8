import { backendChoice } from './node-engine';
import { parseFlags } from './flags';
import { isDatasetName } from '../data/dataset';
import { DATASET_NAMES } from '../data/dataset';
import { runTrainCommand, type TrainCommandOptions, type TrainMethod } from '../train/pipeline';
import { runRnnTrainCommand } from '../train/rnn-pipeline';
import { UsageError } from './errors';

export const TRAIN_USAGE = `train    --dataset mr|sst2|sst5|subj|chnsenticorp|waimai --out DIR [--method lv-if|su-bif|su-rnn] [--data-dir DIR]
           [--seed N] [--split-seed N] [--epochs N] [--batch N] [--lr X] [--filters N] [--max-tokens N]
           [--train-limit N] [--levels L] [--output-levels L] [--steps T] [--percentile P] [--output-percentile P]
           [--clip-low-sigmas K] [--binary-input K] [--vocabulary N]
           [--backend auto|gpu|cpu|reference] [--hidden H] [--recurrent-scale X]
           train an ANN TextCNN (su-rnn: a quantised RNN over the tokens, H recurrent units) on the
           dataset and convert it to a spiking model folder`;

function numberFlag(name: string, value: string | undefined, fallback: number, min: number, max: number, integer = true): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || (integer && !Number.isInteger(number)) || number < min || number > max) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got '${value}'`);
  }
  return number;
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
    vocabulary: { type: 'string' },
    backend: { type: 'string' },
    hidden: { type: 'string' },
    'recurrent-scale': { type: 'string' },
    name: { type: 'string' },
  });
  const v = parsed.values;
  if (!v.dataset || !isDatasetName(v.dataset)) throw new UsageError(`train needs --dataset, one of ${DATASET_NAMES.join(', ')}`);
  if (!v.out) throw new UsageError('train needs --out DIR, the model folder to write');
  const method = (v.method ?? 'lv-if') as TrainMethod;
  if (method !== 'lv-if' && method !== 'su-bif' && method !== 'su-rnn') throw new UsageError(`--method must be lv-if, su-bif or su-rnn, got '${v.method}'`);
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
    epochs: numberFlag('epochs', v.epochs, 6, 1, 1000),
    batchSize: numberFlag('batch', v.batch, 50, 1, 4096),
    learningRate: numberFlag('lr', v.lr, 3e-3, 0, 1, false),
    weightDecay: numberFlag('weight-decay', v['weight-decay'], 1e-2, 0, 1, false),
    dropout: numberFlag('dropout', v.dropout, 0.5, 0, 0.95, false),
    filters: numberFlag('filters', v.filters, 100, 1, 4096),
    widths,
    characterDim: numberFlag('char-dim', v['char-dim'], 64, 1, 1024),
    maxTokens: numberFlag('max-tokens', v['max-tokens'], chinese ? 96 : 64, Math.max(...widths), 4096),
    trainLimit: numberFlag('train-limit', v['train-limit'], 0, 0, 1e9),
    backend,
    numSteps: numberFlag('steps', v.steps, method === 'su-bif' ? 16 : 16, 1, 1000),
    levels: numberFlag('levels', v.levels, 4, 2, 256),
    outputLevels: numberFlag('output-levels', v['output-levels'], 64, 2, 1024),
    thresholdPercentile: numberFlag('percentile', v.percentile, 99.9, 50, 100, false),
    outputPercentile: numberFlag('output-percentile', v['output-percentile'], 50, 1, 100, false),
    clipSigmas: numberFlag('clip-sigmas', v['clip-sigmas'], 3, 0.1, 100, false),
    clipLowSigmas: numberFlag('clip-low-sigmas', v['clip-low-sigmas'], numberFlag('clip-sigmas', v['clip-sigmas'], 3, 0.1, 100, false), 0, 100, false),
    binarySigmas: v['binary-input'] === undefined ? undefined : numberFlag('binary-input', v['binary-input'], 0, -10, 10, false),
    vocabularyLimit: numberFlag('vocabulary', v.vocabulary, 0, 0, 1e7),
    command: `spikescope train ${argv.join(' ')}`,
    name: v.name,
  };
  const log = (line: string) => console.log(line);
  if (method === 'su-rnn') {
    const hidden = numberFlag('hidden', v.hidden, 128, 1, 2048);
    await runRnnTrainCommand({ ...options, hidden, recurrentScale: numberFlag('recurrent-scale', v['recurrent-scale'], 0.5, 0, 10, false) }, log);
  } else await runTrainCommand(options, log);
  return 0;
}
