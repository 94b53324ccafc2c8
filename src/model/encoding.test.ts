import { describe, expect, it } from 'vitest';
import { embeddingStatistics, EncodingSettingsError, firingProbabilities } from './encoding';

describe('embeddingStatistics', () => {
  it('gives the global mean and population std over all components', () => {
    const stats = embeddingStatistics(new Float32Array([1, 2, 3, 4, 5, 6]));
    expect(stats.mean).toBeCloseTo(3.5, 12);
    expect(stats.std).toBeCloseTo(Math.sqrt(17.5 / 6), 12);
  });

  it('accumulates in float64: a large offset does not swamp the spread', () => {
    const table = new Float32Array(100_000);
    for (let i = 0; i < table.length; i++) table[i] = 1000 + (i % 2 === 0 ? 0.5 : -0.5);
    const stats = embeddingStatistics(table);
    expect(stats.mean).toBeCloseTo(1000, 9);
    expect(stats.std).toBeCloseTo(0.5, 9);
  });

  it('returns zeros for an empty table', () => {
    expect(embeddingStatistics(new Float32Array(0))).toEqual({ mean: 0, std: 0 });
  });
});

describe('firingProbabilities (architecture §1.2)', () => {
  it('maps μ to 0.5, μ ± kσ to 0 and 1, and clips beyond', () => {
    const p = firingProbabilities(new Float32Array([0.5, 0.5 - 3, 0.5 + 3, -100, 100, 0.5 + 1.5]), 2, 0.5, 1, 3);
    expect(Array.from(p)).toEqual([0.5, 0, 1, 0, 1, 0.75]);
  });

  it('follows the float32 operation order of the formula', () => {
    const mean = 0.0044805;
    const std = 0.410708;
    const x = 0.123456;
    const f = Math.fround;
    const kSigma = f(f(3) * f(std));
    const expected = f(f(f(f(x) - f(mean)) + kSigma) / f(2 * kSigma));
    expect(firingProbabilities(new Float32Array([x]), 1, mean, std, 3)[0]).toBe(expected);
  });

  it('stays in [0, 1] for every input and gives 0 for NaN', () => {
    const values = new Float32Array([NaN, Infinity, -Infinity, 1e-30, -1e-30, 3.4e38]);
    for (const p of firingProbabilities(values, 3, 0.1, 0.3, 2)) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    expect(firingProbabilities(values, 3, 0.1, 0.3, 2)[0]).toBe(0);
  });

  it('rejects settings that give no probabilities', () => {
    expect(() => firingProbabilities(new Float32Array(4), 3, 0, 1, 3)).toThrow(/not a multiple of the dimension 3/);
    expect(() => firingProbabilities(new Float32Array(4), 2, 0, 0, 3)).toThrow(EncodingSettingsError);
    expect(() => firingProbabilities(new Float32Array(4), 2, 0, 1, -1)).toThrow(/clipSigmas must be a positive/);
  });
});

describe('asymmetric clip range (sparse input)', () => {
  it('clipLowSigmas = 0 silences components below the mean and maps μ + kσ to 1', () => {
    const table = Float32Array.from([-1, 0, 0.5, 1, 2, 4]);
    const p = firingProbabilities(table, 1, 0, 1, 3, 0);
    expect([...p]).toEqual([0, 0, Math.fround(0.5 / 3), Math.fround(1 / 3), Math.fround(2 / 3), 1]);
    expect([...firingProbabilities(table, 1, 0, 1, 3, 3)]).toEqual([...firingProbabilities(table, 1, 0, 1, 3)]);
  });
});

describe('binary input', () => {
  it('gives 1 at or above μ + kB·σ and 0 below, NaN silent', () => {
    const table = Float32Array.from([-1, 0.5, 0.99, 1, 2, NaN]);
    expect([...firingProbabilities(table, 1, 0.5, 0.5, 3, 3, 1)]).toEqual([0, 0, 0, 1, 1, 0]);
    expect([...firingProbabilities(table, 1, 0.5, 0.5, 3, 3, 0)]).toEqual([0, 1, 1, 1, 1, 0]);
  });

  it('rejects a threshold that is not a finite number', () => {
    expect(() => firingProbabilities(new Float32Array(2), 1, 0, 1, 3, 3, Infinity)).toThrow(/binarySigmas must be a finite number/);
  });
});
