/**
 * Deterministic random tensors: every value comes from a `hashU32` stream keyed by a seed and the
 * tensor's name, so the same arguments give the same bytes on every machine (weight initialisation,
 * random test and benchmark models).
 */
import { hashU32 } from '../reference/rng';

/** FNV-1a of a string, to key a tensor's random stream by its name. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** `count` float32 values uniform in [low, high), from the stream of (seed, name). */
export function randomUniformTensor(seed: number, name: string, count: number, low: number, high: number): Float32Array {
  const key = hashU32(hashU32(seed >>> 0) ^ hashString(name));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = low + (high - low) * (hashU32(key ^ hashU32(i)) / 4294967296);
  return out;
}
