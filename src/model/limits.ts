/**
 * Bounds on the sizes and numbers of model.json, checked before anything is allocated from them
 * (architecture §5.3). Each is far above what a text classifier uses (the shipped models: 65–101
 * input channels, 100 filters of widths 3–5, 128 hidden units, 65,008 words, levels up to 64), and
 * low enough that a hostile file cannot make the loader allocate more than a few megabytes before
 * its weight file is checked against them.
 */

/** Channels of any value: `embeddingDim`, `filters` × widths, `hidden`, `outFeatures`, classes × population. */
export const MAX_CHANNELS = 16384;

/** A convolution's width and the encoder's `minLength` (padded tokens). */
export const MAX_WIDTH = 1024;

/** Layers of a network. */
export const MAX_LAYERS = 256;

/** Words of the vocabulary (rows of the embedding table). */
export const MAX_VOCABULARY = 4_194_304;

/** A BIF neuron's `levels` and a quantised activation's `levels`. */
export const MAX_LEVELS = 65536;

/** Time steps T of a run (the engine's own limit). */
export const MAX_STEPS = 1000;

/** Smallest positive normal float32 (2^−126): below it the GPU may flush a value to zero. */
export const MIN_NORMAL_FLOAT32 = 2 ** -126;

/**
 * True when float32 holds `x` without changing its kind: 0 stays 0, anything else becomes a finite
 * float32 of normal magnitude (not 0, not subnormal, not infinite).
 */
export function holdsInFloat32(x: number): boolean {
  if (x === 0) return true;
  const f = Math.fround(x);
  return Number.isFinite(f) && Math.abs(f) >= MIN_NORMAL_FLOAT32;
}
