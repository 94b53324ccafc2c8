/**
 * Reading the six corpora from the shared data folder (Node only: CLI, training, tests). The thin
 * file-system layer over the pure parsers of formats.ts; the data is read by path and never copied.
 *
 * Files read, under the data directory (shared/data/README.md):
 *  - mr/rt-polarity.neg, mr/rt-polarity.pos (windows-1252), seeded 10 % test;
 *  - sst2/stsa.binary.{train,dev,test}, sst5/stsa.fine.{train,dev,test} (UTF-8), given split;
 *  - subj/subj.objective, subj/subj.subjective (windows-1252), seeded 10 % test;
 *  - chnsenticorp/{train,dev,test}.tsv (UTF-8), given split;
 *  - waimai/waimai_10k.csv (UTF-8), seeded 10 % test.
 * For a seeded split the full list is the files in label order (negative/objective first), lines
 * in file order; `split.testIndices` index that list.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DATASET_NAMES, DATASETS, DataError, isDatasetName, SEEDED_TEST_FRACTION } from './dataset';
import type { Dataset, DatasetName, Example } from './dataset';
import { parseChnSentiCorpTsv, parseSentencePerLine, parseSstLines, parseWaimaiCsv } from './formats';
import { seededTestSplit } from './split';
import { decodeUtf8, decodeWindows1252 } from './text-decoding';

/** Environment variable that overrides the default data directory. */
export const DATA_DIR_ENV = 'SPIKESCOPE_DATA_DIR';

/** How to point Spikescope at the data, appended to every "not found" message. */
const HOW_TO_FIX = `pass --data-dir or set ${DATA_DIR_ENV}`;

/**
 * The data directory: `$SPIKESCOPE_DATA_DIR` when set and non-empty, else `../shared/data`
 * relative to the current working directory (the project root when run through npm or vitest).
 */
export function defaultDataDir(): string {
  const fromEnvironment = process.env[DATA_DIR_ENV];
  return fromEnvironment !== undefined && fromEnvironment.trim() !== '' ? resolve(fromEnvironment) : resolve(process.cwd(), '..', 'shared', 'data');
}

/** Options of `loadDataset`. */
export interface LoadDatasetOptions {
  /** Folder holding `mr/`, `sst2/`, …; `defaultDataDir()` when omitted. */
  dataDir?: string;
  /** Seed of the 10 % test split of MR, Subj and Waimai (u32, default 1); unused by the others. */
  seed?: number;
}

/**
 * Loads a corpus by name with its split. Throws a `DataError` that names the missing or faulty
 * file and says what to do (a wrong name lists the known ones).
 */
export async function loadDataset(name: DatasetName, options: LoadDatasetOptions = {}): Promise<Dataset> {
  if (!isDatasetName(name)) throw new DataError(`Unknown dataset ${JSON.stringify(name)}; choose one of ${DATASET_NAMES.join(', ')}`);
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const seed = options.seed ?? 1;
  await checkDataDir(dataDir);
  const description = DATASETS[name];
  const folder = join(dataDir, description.folder);
  const base = { name, language: description.language, classes: [...description.classes] };
  switch (name) {
    case 'mr': {
      const examples = [
        ...parseSentencePerLine(await readWindows1252(join(folder, 'rt-polarity.neg'), 'MR'), 0),
        ...parseSentencePerLine(await readWindows1252(join(folder, 'rt-polarity.pos'), 'MR'), 1),
      ];
      return seeded(base, examples, seed);
    }
    case 'subj': {
      const examples = [
        ...parseSentencePerLine(await readWindows1252(join(folder, 'subj.objective'), 'Subj'), 0),
        ...parseSentencePerLine(await readWindows1252(join(folder, 'subj.subjective'), 'Subj'), 1),
      ];
      return seeded(base, examples, seed);
    }
    case 'waimai': {
      const path = join(folder, 'waimai_10k.csv');
      return seeded(base, parseWaimaiCsv(await readUtf8(path, 'Waimai'), path), seed);
    }
    case 'sst2':
    case 'sst5': {
      const stem = name === 'sst2' ? 'stsa.binary' : 'stsa.fine';
      const label = name === 'sst2' ? 'SST-2' : 'SST-5';
      const read = async (part: string): Promise<Example[]> => {
        const path = join(folder, `${stem}.${part}`);
        return parseSstLines(await readUtf8(path, label), description.classes.length, path);
      };
      return { ...base, train: await read('train'), dev: await read('dev'), test: await read('test'), split: { kind: 'given' } };
    }
    case 'chnsenticorp': {
      const read = async (part: string): Promise<Example[]> => {
        const path = join(folder, `${part}.tsv`);
        return parseChnSentiCorpTsv(await readUtf8(path, 'ChnSentiCorp'), path);
      };
      return { ...base, train: await read('train'), dev: await read('dev'), test: await read('test'), split: { kind: 'given' } };
    }
  }
}

function seeded(base: Pick<Dataset, 'name' | 'language' | 'classes'>, examples: Example[], seed: number): Dataset {
  const { train, test, testIndices } = seededTestSplit(examples, seed);
  return { ...base, train, test, split: { kind: 'seeded', seed, testFraction: SEEDED_TEST_FRACTION, testIndices } };
}

async function checkDataDir(dataDir: string): Promise<void> {
  let isFolder = false;
  try {
    isFolder = (await stat(dataDir)).isDirectory();
  } catch {
    throw new DataError(`No data folder at ${dataDir}: ${HOW_TO_FIX} (the folder of mr/, sst2/, sst5/, subj/, chnsenticorp/, waimai/; see shared/data/README.md)`);
  }
  if (!isFolder) throw new DataError(`${dataDir} is a file, not the data folder: ${HOW_TO_FIX}`);
}

/** The bytes of a corpus file; a missing file is a `DataError` naming it and the corpus. */
async function readCorpusFile(path: string, corpus: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`No ${corpus} data at ${path}: ${HOW_TO_FIX}`, { cause: error });
    throw new DataError(`${path}: cannot be read (${(error as Error).message}); check the file's permissions`, { cause: error });
  }
}

async function readWindows1252(path: string, corpus: string): Promise<string> {
  return decodeWindows1252(await readCorpusFile(path, corpus));
}

async function readUtf8(path: string, corpus: string): Promise<string> {
  return decodeUtf8(await readCorpusFile(path, corpus), path);
}
