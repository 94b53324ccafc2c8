/**
 * Stateless counter-based randomness, identical in TypeScript and WGSL (`shaders/rng.wgsl`):
 * the same (seed, sample, position, channel, step) gives the same 32-bit value on CPU and GPU,
 * so a rate-encoded input produces the same spikes on both backends.
 */

/** lowbias32 integer hash (Wellons), written with `Math.imul` and `>>> 0` as u32 arithmetic. */
export function hashU32(x: number): number {
  let v = x >>> 0;
  v ^= v >>> 16;
  v = Math.imul(v, 0x7feb352d) >>> 0;
  v ^= v >>> 15;
  v = Math.imul(v, 0x846ca68b) >>> 0;
  v ^= v >>> 16;
  return v >>> 0;
}

/** The hash of one random draw; each key is folded in turn. */
export function rngKey(seed: number, sample: number, position: number, channel: number, step: number): number {
  let h = hashU32(seed);
  h = hashU32(h ^ sample);
  h = hashU32(h ^ position);
  h = hashU32(h ^ channel);
  h = hashU32(h ^ step);
  return h;
}

/** A uniform number in [0, 1) from the top 24 bits of a hash: exact in float32 on both sides. */
export function rngUniform(hash: number): number {
  return (hash >>> 8) * (1 / 16777216);
}
