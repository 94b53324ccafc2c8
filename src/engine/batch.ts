/** Token ids of a batch laid out for the kernels. */
export interface PreparedBatch {
  batch: number;
  /** Padded length shared by the batch: the longest sample, and at least the model's minimum. */
  tokens: number;
  /** `[batch][tokens]`, −1 = silent (padding or unknown word). */
  tokenIds: Int32Array;
  /** Length of each sample after padding to the model's minimum (≤ tokens). */
  lengths: Uint32Array;
  /** Random stream of each sample: 0 for all, so a text's spikes depend only on (seed, text). */
  streamIds: Uint32Array;
}

/** Pads each sample to `minLength` with silent tokens and stacks the batch. Nothing is truncated. */
export function prepareBatch(samples: Int32Array[], minLength: number): PreparedBatch {
  const batch = samples.length;
  const lengths = Uint32Array.from(samples, (ids) => Math.max(minLength, ids.length));
  const tokens = Math.max(1, ...lengths);
  const tokenIds = new Int32Array(batch * tokens).fill(-1);
  samples.forEach((ids, b) => tokenIds.set(ids, b * tokens));
  return { batch, tokens, tokenIds, lengths, streamIds: new Uint32Array(batch) };
}

/** A range of output positions `[start, end)` and the token range `[tokenStart, tokenEnd)` it reads. */
export interface PositionChunk {
  start: number;
  end: number;
  tokenStart: number;
  tokenEnd: number;
}

/**
 * Splits `positions` positions of a batch of `tokens` tokens into chunks of at most `maxPositions`.
 * A chunk reads the tokens its widest value needs (`maxSpan`); the positions it computes past `end`
 * are ignored (the next chunk owns them). Needs `tokens ≥ maxSpan` (samples are padded to it).
 */
export function positionChunks(positions: number, tokens: number, maxPositions: number, maxSpan: number): PositionChunk[] {
  const size = Math.max(1, Math.floor(maxPositions));
  const chunks: PositionChunk[] = [];
  for (let start = 0; start < positions; start += size) {
    const end = Math.min(positions, start + size);
    const tokenEnd = Math.min(tokens, end + maxSpan - 1);
    chunks.push({ start, end, tokenStart: start, tokenEnd });
  }
  return chunks;
}

export { UnsupportedNetworkError } from '../layers/graph';
