/**
 * What a labelled text dataset is to the rest of Spikescope: examples, class names, and how the
 * test split was made, so a result can be reproduced on exactly the same sentences.
 *
 * The six corpora live outside the project (shared/data/README.md); `load.ts` reads them from
 * disk. This file is pure and may be imported by the browser app.
 *
 * Label ids (index into `classes`):
 *  - mr, sst2, chnsenticorp, waimai: 0 = negative, 1 = positive (the files' own 0/1 where they have one);
 *  - sst5: 0 = very negative … 4 = very positive (the files' own labels);
 *  - subj: 0 = objective (`subj.objective`), 1 = subjective (`subj.subjective`).
 */

/** A dataset by its short name, as on the command line (`--dataset sst2`). */
export type DatasetName = 'mr' | 'sst2' | 'sst5' | 'subj' | 'chnsenticorp' | 'waimai';

/** Every dataset name, in the order they are listed to users. */
export const DATASET_NAMES: readonly DatasetName[] = ['mr', 'sst2', 'sst5', 'subj', 'chnsenticorp', 'waimai'];

/** One labelled text; `label` indexes the dataset's `classes`. */
export interface Example {
  text: string;
  label: number;
}

/** Fraction of the examples held out as test where a corpus has no test split of its own. */
export const SEEDED_TEST_FRACTION = 0.1;

/**
 * How the test split was made. `given`: the corpus ships train/(dev/)test files. `seeded`: the
 * corpus is one list (files concatenated in label order, lines in file order); `testIndices`
 * (ascending) are the positions in that list that form the test set, chosen by `seed` (see
 * split.ts), so anyone can re-evaluate on the same sentences.
 */
export type SplitInfo =
  | { kind: 'given' }
  | { kind: 'seeded'; seed: number; testFraction: typeof SEEDED_TEST_FRACTION; testIndices: number[] };

/**
 * How a dev set was carved out of the training examples by `devFromTrain`: `trainIndices`
 * (ascending) are positions in the training list before the dev set was removed.
 */
export interface DevSplitInfo {
  seed: number;
  fraction: number;
  trainIndices: number[];
}

/** A loaded dataset. Train, dev and test keep the order of the files; shuffle when training. */
export interface Dataset {
  name: DatasetName;
  language: 'en' | 'zh';
  /** Class names; an example's `label` is an index into this list. */
  classes: string[];
  train: Example[];
  /** The corpus's own dev split (SST, ChnSentiCorp), or one made by `devFromTrain`. */
  dev?: Example[];
  test: Example[];
  split: SplitInfo;
  /** Present when `dev` was carved out of train by `devFromTrain`. */
  devSplit?: DevSplitInfo;
}

/** What Spikescope knows about a corpus before reading it. */
export interface DatasetDescription {
  /** Human name with its source, for messages and model provenance. */
  title: string;
  language: 'en' | 'zh';
  classes: readonly string[];
  /** Folder under the data directory. */
  folder: string;
  /** Whether the corpus ships its own test split (else a seeded 10 % is taken). */
  givenSplit: boolean;
}

const BINARY_SENTIMENT = ['negative', 'positive'] as const;

/** The six corpora of shared/data/README.md. */
export const DATASETS: Readonly<Record<DatasetName, DatasetDescription>> = {
  mr: { title: 'MR (movie-review polarity, Pang & Lee 2005)', language: 'en', classes: BINARY_SENTIMENT, folder: 'mr', givenSplit: false },
  sst2: { title: 'SST-2 (binary Stanford Sentiment Treebank)', language: 'en', classes: BINARY_SENTIMENT, folder: 'sst2', givenSplit: true },
  sst5: {
    title: 'SST-5 (fine-grained Stanford Sentiment Treebank)',
    language: 'en',
    classes: ['very negative', 'negative', 'neutral', 'positive', 'very positive'],
    folder: 'sst5',
    givenSplit: true,
  },
  subj: { title: 'Subj (subjectivity, Pang & Lee 2004)', language: 'en', classes: ['objective', 'subjective'], folder: 'subj', givenSplit: false },
  chnsenticorp: { title: 'ChnSentiCorp (Chinese reviews)', language: 'zh', classes: BINARY_SENTIMENT, folder: 'chnsenticorp', givenSplit: true },
  waimai: { title: 'Waimai 10k (Chinese food-delivery reviews)', language: 'zh', classes: BINARY_SENTIMENT, folder: 'waimai', givenSplit: false },
};

/** Whether a string (e.g. a CLI argument) names a dataset. */
export function isDatasetName(value: string): value is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(value);
}

/**
 * A dataset could not be found, read or parsed. The message names the file (and line) and says
 * what to do, e.g. `No MR data at /x/mr/rt-polarity.pos: pass --data-dir or set SPIKESCOPE_DATA_DIR`.
 */
export class DataError extends Error {
  override name = 'DataError';
}

/** Number of examples per class, for summaries and sanity checks. */
export function classCounts(examples: readonly Example[], classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (const example of examples) counts[example.label]++;
  return counts;
}
