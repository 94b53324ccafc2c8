/**
 * `spikescope train --file F [--file G …]`: a spiking classifier from a person's labelled texts,
 * the same steps as the app's Train view (`src/train/user-train.ts`), so a model trained in the
 * page can be trained again here with the same seed and compared.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DataError } from '../data/dataset';
import { defaultGlovePath } from '../data/glove';
import { createCpuBackend, GpuBackend, type Backend } from '../engine/backends';
import { resolveBackend } from '../engine/choose-backend';
import { nodeGpu } from '../gpu/node-gpu';
import { loadModelDir, MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE } from '../model/node-io';
import { gloveVocabulary } from '../train/glove-vocabulary';
import { openTrainOps } from '../train/pipeline';
import { vocabularyFromModel } from '../train/prepare';
import { decodeTrainingFile, MAX_TRAINING_FILE_BYTES, readTrainingFiles, trainingFileTooLarge, type TrainingFile } from '../train/user-data';
import { checkUserSettings, defaultUserSettings, finishUserModel, suggestedTable, trainUserModel, unknownWords, userTrainingData, type UserMethod, type UserTable, type UserTrainSettings } from '../train/user-train';
import { backendChoice } from './node-engine';
import { UsageError } from './errors';
import { integerFlag, commandLine } from './flags';

/** Flags of `train --file` (parsed by `runTrain`, which hands them over). */
export interface TrainFileFlags {
  file: string[];
  out?: string;
  method?: string;
  table?: string;
  epochs?: string;
  levels?: string;
  steps?: string;
  lr?: string;
  seed?: string;
  'dev-fraction'?: string;
  'text-column'?: string;
  'label-column'?: string;
  'embedding-from'?: string;
  'data-dir'?: string;
  backend?: string;
  name?: string;
}

function numberOf(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new UsageError(`--${name} must be a number, got '${value}'`);
  return number;
}

/** A labelled file on disk (`train --file`, `eval --file`): its size checked before it is read. */
export async function readTrainingFileAt(path: string): Promise<TrainingFile> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new DataError(`${path}: the file does not exist or cannot be read`);
  }
  if (size > MAX_TRAINING_FILE_BYTES) throw new DataError(trainingFileTooLarge(path, size));
  const bytes = await readFile(path);
  return decodeTrainingFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), basename(path));
}

/** Trains from files and writes the model folder (model.json, weights.safetensors, README.md). */
export async function runTrainFile(flags: TrainFileFlags, argv: string[]): Promise<number> {
  if (!flags.out) throw new UsageError('train --file needs --out DIR, the model folder to write');
  const method = (flags.method ?? 'su-bif') as UserMethod;
  if (method !== 'su-bif' && method !== 'lv-if') throw new UsageError(`train --file trains --method su-bif or lv-if, got '${flags.method}'`);
  const files = await Promise.all(flags.file.map(readTrainingFileAt));
  const columns =
    flags['text-column'] !== undefined || flags['label-column'] !== undefined
      ? { text: integerFlag('text-column', flags['text-column'], 1, 1, 1000) - 1, label: integerFlag('label-column', flags['label-column'], 2, 1, 1000) - 1 }
      : undefined;
  const set = readTrainingFiles(files, columns);
  const table = (flags.table ?? suggestedTable(set.examples)) as UserTable;
  if (table !== 'glove' && table !== 'characters') throw new UsageError(`--table must be glove or characters, got '${flags.table}'`);
  const defaults = defaultUserSettings(method, table);
  const settings: UserTrainSettings = {
    ...defaults,
    epochs: numberOf('epochs', flags.epochs, defaults.epochs),
    levels: numberOf('levels', flags.levels, defaults.levels),
    numSteps: numberOf('steps', flags.steps, defaults.numSteps),
    learningRate: numberOf('lr', flags.lr, defaults.learningRate),
    seed: numberOf('seed', flags.seed, defaults.seed),
    devFraction: numberOf('dev-fraction', flags['dev-fraction'], defaults.devFraction),
    name: flags.name ?? `${files.map((file) => file.name).join(' + ')} spiking TextCNN`,
  };
  checkUserSettings(settings);
  const log = (line: string) => console.log(line);
  log(`${files.map((file) => file.name).join(', ')}: ${set.examples.length} texts, ${set.layout}, classes ${set.classes.join(', ')}`);
  const glove = async () =>
    flags['embedding-from'] ? vocabularyFromModel(await loadModelDir(flags['embedding-from']), { clipSigmas: 3 }) : gloveVocabulary(flags['data-dir'], { clipSigmas: 3 });
  const data = await userTrainingData(set, settings, glove);
  const unknown = unknownWords(data.train, data.prepared);
  log(`${data.train.length} train / ${data.dev.length} dev; table ${table === 'glove' ? `GloVe (${flags['embedding-from'] ?? defaultGlovePath(flags['data-dir'])})` : `learned (${data.prepared.vocabulary.size} characters or words seen twice)`}; ${(100 * unknown.share).toFixed(1)} % of tokens unknown${unknown.top.length ? ` (most often: ${unknown.top.slice(0, 5).map((entry) => entry.token).join(' ')})` : ''}`);
  const backend = await openTrainOps(backendChoice(flags.backend));
  log(`training on ${backend.detail}: ${settings.epochs} epochs of ${Math.ceil(data.train.length / 50)} batches of 50`);
  try {
    const { model } = await trainUserModel(backend.ops, data, settings, { where: backend.detail, command: commandLine('train', argv), source: files.map((file) => file.name).join(' + '), log });
    const resolved = await resolveBackend(backendChoice(flags.backend), nodeGpu, true);
    const inference: Backend = resolved.kind === 'gpu' ? new GpuBackend(resolved.ctx) : createCpuBackend(resolved.kind, resolved.why);
    let finished;
    try {
      finished = await finishUserModel(model, data, inference, flags.out, log);
    } finally {
      inference.dispose();
    }
    await mkdir(flags.out, { recursive: true });
    await writeFile(join(flags.out, MODEL_WEIGHTS_FILE), finished.weightBytes);
    await writeFile(join(flags.out, MODEL_CONFIG_FILE), finished.configText, 'utf8');
    await writeFile(join(flags.out, 'README.md'), finished.card, 'utf8');
    log(`wrote ${flags.out}`);
  } finally {
    backend.close();
  }
  return 0;
}
