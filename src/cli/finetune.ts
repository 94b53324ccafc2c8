import { backendChoice } from './node-engine';
import { choiceFlag, commandLine, parseFlags } from './flags';
import { resolve } from 'node:path';
import { DEFAULT_SURROGATE, type Surrogate } from '../reference/neuron-backward';
import { runFinetuneCommand, type FinetuneCommandOptions } from '../train/finetune-command';
import { UsageError } from './errors';

export const FINETUNE_USAGE = `finetune --model DIR --out DIR [--data-dir DIR] [--epochs N] [--steps T (default: the model's)] [--batch N] [--lr X]
           [--weight-decay X] [--train-limit N] [--max-tokens N] [--surrogate fast-sigmoid|piecewise-linear]
           [--rate-scale X] [--schedule constant|cosine] [--keep best|last] [--dropout P] [--seed N] [--backend auto|gpu|cpu|reference] [--name TEXT]
           fine-tune an IF model (train --method lv-if) as a spiking network with surrogate gradients;
           keeps the epoch (0 = as converted) with the best dev SNN accuracy and writes a new model folder;
           the loss is the cross-entropy of X × the output spike rate (default 1); --keep last writes
           the last epoch's weights instead; --dropout P drops the classifier's input spikes while training`;

function numberFlag(name: string, value: string | undefined, fallback: number, min: number, max: number, integer = true): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || (integer && !Number.isInteger(number)) || number < min || number > max) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got '${value}'`);
  }
  return number;
}

/** The flags of `spikescope finetune`, checked; throws `UsageError` with one line on bad input. */
export function parseFinetuneFlags(argv: string[]): FinetuneCommandOptions {
  const parsed = parseFlags(argv, {
    model: { type: 'string' },
    out: { type: 'string' },
    'data-dir': { type: 'string' },
    epochs: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    'weight-decay': { type: 'string' },
    'train-limit': { type: 'string' },
    'max-tokens': { type: 'string' },
    surrogate: { type: 'string' },
    'rate-scale': { type: 'string' },
    schedule: { type: 'string' },
    keep: { type: 'string' },
    dropout: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    name: { type: 'string' },
  });
  const v = parsed.values;
  if (!v.model) throw new UsageError('finetune needs --model DIR, the IF model folder to fine-tune');
  if (!v.out) throw new UsageError('finetune needs --out DIR, the model folder to write');
  if (resolve(v.out) === resolve(v.model)) throw new UsageError('--out must differ from --model: finetune writes a new model folder and keeps the original');
  const backend = backendChoice(v.backend);
  let surrogate: Surrogate;
  if (v.surrogate === undefined || v.surrogate === 'fast-sigmoid') surrogate = DEFAULT_SURROGATE;
  else if (v.surrogate === 'piecewise-linear') surrogate = { kind: 'piecewise-linear' };
  else throw new UsageError(`--surrogate must be fast-sigmoid or piecewise-linear, got '${v.surrogate}'`);
  const learningRate = numberFlag('lr', v.lr, 1e-4, 0, 1, false);
  if (learningRate === 0) throw new UsageError(`--lr must be a number above 0 and at most 1, got '${v.lr}'`);
  return {
    model: v.model,
    out: v.out,
    dataDir: v['data-dir'],
    epochs: numberFlag('epochs', v.epochs, 2, 1, 1000),
    numSteps: v.steps === undefined ? undefined : numberFlag('steps', v.steps, 0, 1, 1000),
    batchSize: numberFlag('batch', v.batch, 32, 1, 4096),
    learningRate,
    weightDecay: numberFlag('weight-decay', v['weight-decay'], 1e-2, 0, 1, false),
    trainLimit: numberFlag('train-limit', v['train-limit'], 0, 0, 1e9),
    maxTokens: numberFlag('max-tokens', v['max-tokens'], 64, 1, 4096),
    surrogate,
    rateScale: numberFlag('rate-scale', v['rate-scale'], 1, 0.01, 1000, false),
    schedule: choiceFlag('schedule', v.schedule, ['constant', 'cosine'], 'constant'),
    keep: choiceFlag('keep', v.keep, ['best', 'last'], 'best'),
    dropout: numberFlag('dropout', v.dropout, 0, 0, 0.95, false),
    seed: v.seed === undefined ? undefined : numberFlag('seed', v.seed, 0, 0, 0xffffffff),
    backend,
    command: commandLine('finetune', argv),
    name: v.name,
  };
}

/** `spikescope finetune`: see FINETUNE_USAGE. */
export async function runFinetune(argv: string[]): Promise<number> {
  await runFinetuneCommand(parseFinetuneFlags(argv), (line) => console.log(line));
  return 0;
}
