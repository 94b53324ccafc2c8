/**
 * Fixtures of the engine tests of layers that run over the words (token-recurrent, sequence-neuron,
 * LSTM): a small vocabulary, four sentences of different lengths (one with an unknown word), dyadic
 * weights, and a run of several option sets on one backend.
 */
import type { Backend } from '../engine/backends';
import type { PreparedBatch } from '../engine/batch';
import type { ExecuteOptions, RawOutput } from '../engine/executor';
import type { LoadedModel } from '../model/format';
import { randomUniformTensor } from '../model/random-tensor';

export const WORDS = 'the a film is good bad great boring and but not very fun dull story acting movie plot love hate it'.split(' ');

/** Token ids of 11, 4 (one unknown), 1 and 7 words. */
export const SENTENCES = [
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  [12, 13, -1, 14],
  [15],
  [16, 17, 18, 19, 20, 0, 1],
].map((ids) => Int32Array.from(ids));

/** Values on a grid of 2^-4 in [−range, range), from the stream of `seed` and `name`: sums of them stay exact in float32. */
export function dyadic(seed: number, name: string, count: number, range: number): Float32Array {
  return randomUniformTensor(seed, name, count, -range, range).map((w) => Math.round(w * 16) / 16);
}

/** The raw outputs of `runs` on `backend`. */
export async function runOn(backend: Backend, model: LoadedModel, batch: PreparedBatch, runs: ExecuteOptions[]): Promise<RawOutput[]> {
  return (await backend.run(model, batch, runs)).raws;
}
