import { LayerShapeError, type ValueShape } from './types';

/** A positional value of `channels` channels whose channel c covers `spans[c]` tokens. */
export function positionalShape(spans: number[]): ValueShape {
  return { positional: true, channels: spans.length, spans, minSpan: Math.min(...spans), maxSpan: Math.max(...spans) };
}

/** A flat value (after pooling) of `channels` channels. */
export function flatShape(channels: number): ValueShape {
  return { positional: false, channels, spans: [], minSpan: 1, maxSpan: 1 };
}

/** Positions a value holds over `tokens` padded tokens (1 for flat values). */
export function positionsOf(shape: ValueShape, tokens: number): number {
  return shape.positional ? Math.max(0, tokens - shape.minSpan + 1) : 1;
}

/** Valid positions of channel `c` of `shape` in a sample of `length` tokens. */
export function validPositionsOf(shape: ValueShape, c: number, length: number): number {
  return shape.positional ? Math.max(0, length - shape.spans[c] + 1) : 1;
}

/** Neurons of a value that can fire in a sample whose value holds `positions` positions: each channel's valid ones (masked positions never compute). */
export function validNeurons(shape: ValueShape, positions: number): number {
  if (!shape.positional) return shape.channels;
  let neurons = 0;
  for (const span of shape.spans) neurons += Math.max(0, positions - (span - shape.minSpan));
  return neurons;
}

/**
 * The pooling table: `[samples][channels]` valid positions of each channel of `shape` in samples
 * of `lengths` tokens, at most `cap` (the positions a chunk owns).
 */
export function poolCounts(shape: ValueShape, lengths: ArrayLike<number>, cap = Number.POSITIVE_INFINITY): Uint32Array {
  const C = shape.channels;
  const counts = new Uint32Array(lengths.length * C);
  for (let b = 0; b < lengths.length; b++) for (let c = 0; c < C; c++) counts[b * C + c] = Math.max(0, Math.min(cap, validPositionsOf(shape, c, lengths[b])));
  return counts;
}

/** A pool's scale per count: 1 for a sum, `fround(1 / count)` for an average (0 where nothing is valid). */
export function poolScales(counts: Uint32Array, mode: 'avg' | 'sum'): Float32Array {
  return Float32Array.from(counts, (count) => (mode === 'sum' ? 1 : count > 0 ? Math.fround(1 / count) : 0));
}

/** Throws unless `input` is positional (the layer runs over token positions). */
export function needPositional(input: ValueShape, what: string): void {
  if (!input.positional) throw new LayerShapeError(`${what} must come before the pool layer (it runs over token positions)`, 'kind');
}

/** Throws unless every channel of `input` covers the same tokens. */
export function needUniform(input: ValueShape, what: string): void {
  if (input.positional && input.minSpan !== input.maxSpan) {
    throw new LayerShapeError(`${what} needs an input whose channels all cover the same tokens, not spans ${input.minSpan} to ${input.maxSpan} (branches of different widths)`);
  }
}

/** Throws unless `value` equals the input's channel count. */
export function needChannels(value: number, input: ValueShape, field: string): number {
  if (value !== input.channels) throw new LayerShapeError(`must equal the ${input.channels} channels that the layer before outputs, got ${value}`, field);
  return value;
}

/** The arrays one after the other (e.g. a convolution's branch weights in the layout its kernel reads). */
export function concatFloat32(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
