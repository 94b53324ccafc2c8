/**
 * Seeded, reproducible splits: the 10 % test set of the corpora that have none (MR, Subj, Waimai)
 * and an optional dev set carved out of train. Pure code, no `Math.random`.
 *
 * The order is a shuffle by hash: example i gets the key
 * `hashU32(hashU32(hashU32(seed) ^ stream) ^ i)` (stream 0 for the test split, 1 for a dev split,
 * so the two orders are unrelated even with one seed) and the examples are ranked by key.
 * `hashU32` is a bijection on u32, so no two examples share a key and the order depends only on
 * (seed, stream, number of examples), never on the platform or the sort used. The first
 * `round(fraction · count)` examples of that order are held out. Not stratified.
 */
import { hashU32 } from '../reference/rng';
import { DataError, SEEDED_TEST_FRACTION } from './dataset';
import type { Dataset, Example } from './dataset';

/** Which split an order is for; each has its own shuffle (see the module comment). */
export const SplitStream = { Test: 0, Dev: 1 } as const;
/** A value of `SplitStream`. */
export type SplitStream = (typeof SplitStream)[keyof typeof SplitStream];

/** Indices 0…count−1 in the seeded shuffle order described in the module comment. */
export function seededOrder(count: number, seed: number, stream: SplitStream = SplitStream.Test): number[] {
  checkSeed(seed);
  const seedHash = hashU32(hashU32(seed) ^ stream);
  const keys = new Uint32Array(count);
  for (let index = 0; index < count; index++) keys[index] = hashU32(seedHash ^ index);
  return Array.from({ length: count }, (_, index) => index).sort((a, b) => keys[a] - keys[b]);
}

/**
 * Ascending indices of the `round(fraction · count)` examples the seed holds out (the first ones
 * of `seededOrder`). The fraction must be in (0, 1).
 */
export function seededHoldOutIndices(count: number, fraction: number, seed: number, stream: SplitStream = SplitStream.Test): number[] {
  if (!(fraction > 0 && fraction < 1)) throw new DataError(`held-out fraction ${fraction} must be between 0 and 1 (exclusive), e.g. 0.1`);
  const holdOutCount = Math.round(count * fraction);
  return seededOrder(count, seed, stream)
    .slice(0, holdOutCount)
    .sort((a, b) => a - b);
}

/**
 * Splits `examples` into the ones at `indices` (in the order of `indices`) and the rest (in
 * list order). This is how a recorded split is applied again, e.g. a model's `testIndices`.
 */
export function splitByIndices(examples: readonly Example[], indices: readonly number[]): { selected: Example[]; rest: Example[] } {
  const chosen = new Uint8Array(examples.length);
  const selected = indices.map((index) => {
    if (!Number.isInteger(index) || index < 0 || index >= examples.length) {
      throw new DataError(`split index ${index} is outside the ${examples.length} examples; the indices belong to another version of the data`);
    }
    if (chosen[index] === 1) throw new DataError(`split index ${index} occurs twice; a split lists each example once`);
    chosen[index] = 1;
    return examples[index];
  });
  const rest = examples.filter((_, index) => chosen[index] === 0);
  return { selected, rest };
}

/** Train and test of a corpus without a given split, with the held-out indices into `examples`. */
export interface SeededTestSplit {
  train: Example[];
  test: Example[];
  testIndices: number[];
}

/** The seeded 10 % test split of a whole corpus (train and test keep the list order). */
export function seededTestSplit(examples: readonly Example[], seed: number): SeededTestSplit {
  const testIndices = seededHoldOutIndices(examples.length, SEEDED_TEST_FRACTION, seed);
  const { selected, rest } = splitByIndices(examples, testIndices);
  return { train: rest, test: selected, testIndices };
}

/**
 * A copy of `dataset` whose dev set is a seeded `fraction` of its training examples, removed from
 * train; the chosen positions are recorded in `devSplit`. Throws if the dataset already has a dev
 * set (SST and ChnSentiCorp ship one: use it, so results compare with published ones).
 */
export function devFromTrain(dataset: Dataset, fraction: number, seed: number): Dataset {
  if (dataset.dev !== undefined) {
    throw new DataError(`${dataset.name} already has a dev set (${dataset.dev.length} examples); use it instead of carving one out of train`);
  }
  const trainIndices = seededHoldOutIndices(dataset.train.length, fraction, seed, SplitStream.Dev);
  const { selected, rest } = splitByIndices(dataset.train, trainIndices);
  return { ...dataset, train: rest, dev: selected, devSplit: { seed, fraction, trainIndices } };
}

/**
 * One line saying how a dataset was split, for a model's `provenance.split`, e.g.
 * `seeded 10% test (seed 1): 9596 train / 1066 test` or `given: 6920 train / 872 dev / 1821 test`.
 */
export function describeSplit(dataset: Dataset): string {
  const sizes = [`${dataset.train.length} train`, ...(dataset.dev ? [`${dataset.dev.length} dev`] : []), `${dataset.test.length} test`].join(' / ');
  const test = dataset.split.kind === 'given' ? 'given' : `seeded ${Math.round(dataset.split.testFraction * 100)}% test (seed ${dataset.split.seed})`;
  const dev = dataset.devSplit ? `, dev = seeded ${Math.round(dataset.devSplit.fraction * 100)}% of train (seed ${dataset.devSplit.seed})` : '';
  return `${test}${dev}: ${sizes}`;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new DataError(`split seed ${seed} must be an integer from 0 to 4294967295`);
  }
}
