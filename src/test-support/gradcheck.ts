import { expect } from 'vitest';

/**
 * Central finite differences of a scalar function at chosen coordinates of `x` (perturbed in place
 * and restored): `(f(x + ε e_i) − f(x − ε e_i)) / 2ε`.
 */
export function finiteDifferences(f: () => number, x: Float32Array, indices: number[], epsilon = 1e-2): number[] {
  return indices.map((i) => {
    const saved = x[i];
    x[i] = saved + epsilon;
    const plus = f();
    x[i] = saved - epsilon;
    const minus = f();
    x[i] = saved;
    return (plus - minus) / (2 * epsilon);
  });
}

/** Analytic gradients equal finite differences within `relative` of the largest magnitude plus `absolute`. */
export function expectGradientsMatch(analytic: number[], numeric: number[], relative = 2e-3, absolute = 1e-4): void {
  expect(analytic.length).toBe(numeric.length);
  const scale = Math.max(...numeric.map(Math.abs), ...analytic.map(Math.abs));
  analytic.forEach((value, i) => {
    if (Math.abs(value - numeric[i]) > absolute + relative * scale) {
      expect.fail(`coordinate ${i}: analytic gradient ${value}, finite difference ${numeric[i]}`);
    }
  });
  expect(scale).toBeGreaterThan(0);
}

/** `Σ_i weights[i] · values[i]` in float64: a scalar loss whose gradient with respect to `values` is `weights`. */
export function dot(weights: Float32Array, values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += weights[i] * values[i];
  return sum;
}

/** A spread of coordinates to check: first, last and `count` evenly spaced in between. */
export function sampleIndices(length: number, count: number): number[] {
  const indices = new Set<number>([0, length - 1]);
  for (let k = 1; k <= count; k++) indices.add(Math.floor((k * length) / (count + 1)));
  return [...indices].sort((a, b) => a - b);
}
