import type { ConvLayerSpec, NetworkSpec, NeuronLayerSpec, PoolLayerSpec, TokenRecurrentLayerSpec } from '../model/spec';

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

/**
 * The positional part of a network (before its pooling layer) in the form the executor supports:
 * an optional convolution, then neuron (or token-recurrent) layers, then the pool. Chunking over
 * positions is exact for this shape: each (position, channel) is its own neuron and the pool sums
 * positions; a token-recurrent layer carries the last spike counts of one chunk into the next, and
 * then the convolution must have a single width, so that chunks own all the positions they compute.
 */
export interface PositionalSection {
  conv: ConvLayerSpec | null;
  convIndex: number;
  neurons: { layer: NeuronLayerSpec | TokenRecurrentLayerSpec; index: number }[];
  /** True when a token-recurrent layer is in it: positions depend on the ones before. */
  sequential: boolean;
  pool: PoolLayerSpec;
  poolIndex: number;
  minWidth: number;
  maxWidth: number;
  /** Channels of the tensor that reaches the pool. */
  channels: number;
}

/** Error in a network the engine cannot run; the message names the layer. */
export class UnsupportedNetworkError extends Error {
  override name = 'UnsupportedNetworkError';
}

export function positionalSection(spec: NetworkSpec): PositionalSection {
  const poolIndex = spec.layers.findIndex((layer) => layer.kind === 'pool');
  if (poolIndex < 0) throw new UnsupportedNetworkError('The network needs a pooling layer over token positions.');
  let conv: ConvLayerSpec | null = null;
  let convIndex = -1;
  const neurons: PositionalSection['neurons'] = [];
  spec.layers.slice(0, poolIndex).forEach((layer, index) => {
    if (layer.kind === 'conv' && conv === null && neurons.length === 0) {
      conv = layer;
      convIndex = index;
    } else if (layer.kind === 'neuron' || layer.kind === 'token-recurrent') {
      neurons.push({ layer, index });
    } else {
      throw new UnsupportedNetworkError(
        `Layer ${layer.name} (${layer.kind}) cannot stand before the pool: only one convolution then neuron layers can.`,
      );
    }
  });
  const widths = (conv as ConvLayerSpec | null)?.widths ?? [1];
  const channels = conv ? (conv as ConvLayerSpec).widths.length * (conv as ConvLayerSpec).filters : spec.encoder.embeddingDim;
  const sequential = neurons.some(({ layer }) => layer.kind === 'token-recurrent');
  for (const { layer } of neurons) {
    if (layer.kind !== 'token-recurrent') continue;
    if (widths.length > 1) {
      throw new UnsupportedNetworkError(`Layer ${layer.name} (token-recurrent) needs a convolution of one width before it, not ${widths.join('/')}.`);
    }
    if (layer.hidden !== channels) throw new UnsupportedNetworkError(`Layer ${layer.name} (token-recurrent) has ${layer.hidden} units but its input has ${channels} channels.`);
  }
  return {
    conv,
    convIndex,
    neurons,
    sequential,
    pool: spec.layers[poolIndex] as PoolLayerSpec,
    poolIndex,
    minWidth: Math.min(...widths),
    maxWidth: Math.max(...widths),
    channels,
  };
}

/** Width of the convolution branch that produced each channel (1 without a convolution). */
export function channelWidths(section: PositionalSection): Uint32Array {
  const widths = new Uint32Array(section.channels).fill(1);
  const conv = section.conv;
  if (conv) conv.widths.forEach((width, branch) => widths.fill(width, branch * conv.filters, (branch + 1) * conv.filters));
  return widths;
}

/** A range of output positions `[start, end)` and the token range `[tokenStart, tokenEnd)` it reads. */
export interface PositionChunk {
  start: number;
  end: number;
  tokenStart: number;
  tokenEnd: number;
}

/**
 * Splits the output positions of a batch into chunks of at most `maxPositions`. A chunk reads the
 * tokens its widest branch needs; the positions it computes past `end` are ignored (the next chunk owns them).
 * Needs `tokens ≥ maxWidth` (the engine pads every sample to at least the widest branch).
 */
export function positionChunks(section: PositionalSection, tokens: number, maxPositions: number): PositionChunk[] {
  const positions = Math.max(1, tokens - section.minWidth + 1);
  const size = Math.max(1, Math.floor(maxPositions));
  const chunks: PositionChunk[] = [];
  for (let start = 0; start < positions; start += size) {
    const end = Math.min(positions, start + size);
    const tokenEnd = Math.min(tokens, end + section.maxWidth - 1);
    chunks.push({ start, end, tokenStart: start, tokenEnd });
  }
  return chunks;
}
