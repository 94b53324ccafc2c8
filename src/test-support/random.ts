import { hashU32 } from '../reference/rng';

/** A seeded stream of numbers for test inputs (not the engine's RNG; any fixed sequence would do). */
export class TestRandom {
  private counter = 0;
  constructor(private readonly seed: number) {}

  /** Uniform in [0, 1). */
  next(): number {
    return hashU32(hashU32(this.seed) ^ this.counter++) / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  integer(low: number, highExclusive: number): number {
    return low + Math.floor(this.next() * (highExclusive - low));
  }

  /** Float32 values uniform in [low, high). */
  floats(length: number, low: number, high: number): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /** Values that are exact multiples of `step` (2^-k), so sums are exact in float32 in any order. */
  quantised(length: number, lowSteps: number, highSteps: number, step: number): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.integer(lowSteps, highSteps + 1) * step;
    return out;
  }
}
