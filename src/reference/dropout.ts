import { hashU32, rngUniform } from './rng';

/**
 * Inverted dropout with a stateless mask, twin of `shaders/dropout.wgsl`: element i of iteration
 * `iteration` is kept when `uniform(hash(hash(hash(seed) ^ iteration) ^ i)) ≥ rate`, and kept
 * elements are multiplied by `fround(1 / (1 − rate))`. The backward pass applies the same mask to
 * the gradient, so forward and backward are one function. The mask depends only on
 * (seed, iteration, i): a run is reproducible and the GPU draws the same mask.
 */
export function dropoutMaskValue(seed: number, iteration: number, index: number, rate: number): number {
  const u = rngUniform(hashU32(hashU32(hashU32(seed) ^ iteration) ^ index));
  return u >= rate ? Math.fround(1 / (1 - rate)) : 0;
}

export function dropoutReference(input: Float32Array, rate: number, seed: number, iteration: number): Float32Array {
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = Math.fround(input[i] * dropoutMaskValue(seed, iteration, i, rate));
  return out;
}
