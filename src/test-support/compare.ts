import { expect } from 'vitest';

/**
 * Spikes of the GPU and of the reference must agree exactly, except at elements whose reference
 * potential `h` lay within `tolerance` of the threshold (architecture §3.5): there float32 contraction
 * (fused multiply-add) may tip the comparison. Returns the number of excused elements.
 */
export function expectSpikesAgree(
  gpu: Float32Array,
  reference: Float32Array,
  nearThreshold: (index: number) => boolean,
  maxExcusedFraction = 0.001,
): number {
  expect(gpu.length).toBe(reference.length);
  let excused = 0;
  for (let i = 0; i < gpu.length; i++) {
    if (gpu[i] === reference[i]) continue;
    if (nearThreshold(i)) {
      excused++;
      continue;
    }
    expect.fail(`spike ${i} differs: GPU ${gpu[i]}, reference ${reference[i]}, and it was not near the threshold`);
  }
  expect(excused).toBeLessThanOrEqual(Math.max(1, Math.ceil(gpu.length * maxExcusedFraction)));
  return excused;
}

/** Element-wise closeness with a relative and absolute tolerance, naming the first difference. */
export function expectClose(actual: Float32Array, expected: Float32Array, relative = 1e-5, absolute = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const difference = Math.abs(actual[i] - expected[i]);
    if (difference > absolute + relative * Math.abs(expected[i])) {
      expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** Exact equality, naming the first difference (for BIF counts and integer-valued results). */
export function expectExact(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

/**
 * Spike trains `[T][neurons]` of a neuron layer on GPU and reference agree exactly, except that a
 * neuron may diverge from the first step at which the reference `h` was within `tolerance` of a
 * firing boundary (θ, or 0 for the negative BIF branch); after that its trajectory legitimately differs.
 */
export function expectSpikeTrainsAgree(
  gpu: Float32Array,
  reference: Float32Array,
  referenceMembrane: Float32Array,
  numSteps: number,
  neurons: number,
  thresholdOf: (neuron: number) => number,
  tolerance = 1e-4,
): number {
  expect(gpu.length).toBe(reference.length);
  let diverged = 0;
  for (let i = 0; i < neurons; i++) {
    for (let t = 0; t < numSteps; t++) {
      const index = t * neurons + i;
      if (gpu[index] === reference[index]) continue;
      const h = referenceMembrane[index];
      const nearBoundary = Math.abs(h - thresholdOf(i)) <= tolerance || Math.abs(h) <= tolerance;
      if (!nearBoundary) {
        expect.fail(`neuron ${i} step ${t}: GPU spike ${gpu[index]}, reference ${reference[index]}, h = ${h} not near a boundary`);
      }
      diverged++;
      break;
    }
  }
  expect(diverged).toBeLessThanOrEqual(Math.max(1, Math.ceil(neurons * 0.01)));
  return diverged;
}
