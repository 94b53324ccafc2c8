import type { OccurrenceGroups } from '../reference/embedding-backward';
import { groupOccurrences } from '../reference/embedding-backward';
import { hashU32 } from '../reference/rng';

/** A sentence as training sees it: vocabulary rows (−1 = unknown, silent) and its label. */
export interface EncodedExample {
  ids: Int32Array;
  label: number;
}

/**
 * One training batch laid out for the kernels, with the engine's conventions (engine/batch.ts):
 * each sample is padded with silent tokens to at least `minLength` and that padded length is its
 * length (the average pool counts the padded positions, as inference does).
 */
export interface TrainBatch {
  batch: number;
  tokens: number;
  /** `[batch][tokens]`, −1 = silent. */
  tokenIds: Int32Array;
  lengths: Uint32Array;
  labels: Int32Array;
  /** Token slots grouped by row (for a learned embedding's gradient). */
  groups: OccurrenceGroups;
}

/** Stacks examples into a batch; sentences longer than `maxTokens` are cut (training only). */
export function makeBatch(examples: readonly EncodedExample[], minLength: number, maxTokens: number): TrainBatch {
  const lengths = Uint32Array.from(examples, (e) => Math.min(maxTokens, Math.max(minLength, e.ids.length)));
  const tokens = Math.max(minLength, ...lengths);
  const tokenIds = new Int32Array(examples.length * tokens).fill(-1);
  examples.forEach((e, b) => tokenIds.set(e.ids.subarray(0, Math.min(e.ids.length, maxTokens)), b * tokens));
  return {
    batch: examples.length,
    tokens,
    tokenIds,
    lengths,
    labels: Int32Array.from(examples, (e) => e.label),
    groups: groupOccurrences(tokenIds),
  };
}

/** A seeded permutation of 0..n−1 (Fisher–Yates driven by `hashU32`). */
export function seededPermutation(n: number, seed: number, round: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const key = hashU32(hashU32(seed >>> 0) ^ hashU32(round + 0x5eed));
  for (let i = n - 1; i > 0; i--) {
    const j = hashU32(key ^ i) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * The batches of one epoch: a seeded shuffle, then within pools of 50 batches the examples are
 * sorted by length (less padding, so less work), then the batches are shuffled again.
 */
export function epochBatches(examples: readonly EncodedExample[], batchSize: number, seed: number, epoch: number): EncodedExample[][] {
  const order = seededPermutation(examples.length, seed, epoch * 2);
  const pool = batchSize * 50;
  const batches: EncodedExample[][] = [];
  for (let start = 0; start < order.length; start += pool) {
    const chunk = order.slice(start, start + pool).sort((a, b) => examples[a].ids.length - examples[b].ids.length || a - b);
    for (let i = 0; i < chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize).map((index) => examples[index]));
  }
  return seededPermutation(batches.length, seed, epoch * 2 + 1).map((i) => batches[i]);
}

/** Batches in order of length, for evaluation (no shuffling). */
export function evaluationBatches(examples: readonly EncodedExample[], batchSize: number): { indices: number[]; examples: EncodedExample[] }[] {
  const order = examples.map((_, i) => i).sort((a, b) => examples[a].ids.length - examples[b].ids.length || a - b);
  const out: { indices: number[]; examples: EncodedExample[] }[] = [];
  for (let i = 0; i < order.length; i += batchSize) {
    const indices = order.slice(i, i + batchSize);
    out.push({ indices, examples: indices.map((index) => examples[index]) });
  }
  return out;
}
