import { describe, expect, it } from 'vitest';
import type { AnnActivation } from '../../model/spec';
import { activationReference, applyActivation } from '../../reference/activation';
import { expectExact } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { recordActivation } from './activation';

async function gpuActivation(input: Float32Array, activation: AnnActivation): Promise<Float32Array> {
  const ctx = await testGpu();
  const [output] = await runOnGpu(ctx, (pass, arena) => {
    const inputBuffer = arena.storage('input', input);
    const outputBuffer = arena.scratch('output', input.byteLength);
    recordActivation(ctx, pass, arena, { count: input.length, activation, input: inputBuffer, output: outputBuffer });
    return [{ buffer: outputBuffer, byteLength: input.byteLength }];
  });
  return output;
}

/** Random values spanning both clamps, plus values exactly on the rounding ties (k + 0.5) · step. */
function quantInputs(seed: number, length: number, step: number, levels: number): Float32Array {
  const random = new TestRandom(seed);
  const input = random.floats(length, -3 * step, (levels + 2) * step);
  for (let i = 0; i < length; i += 7) input[i] = (random.integer(-2, levels + 2) + 0.5) * step;
  return input;
}

describe('activation kernel (shaders/activation.wgsl) against the reference', () => {
  it('relu of an odd-sized input agrees exactly and zeroes the negatives', async () => {
    const input = new TestRandom(1).floats(1001, -5, 5);
    const reference = activationReference(input, { kind: 'relu' });
    expectExact(await gpuActivation(input, { kind: 'relu' }), reference);
    expect(reference.every((y) => y >= 0)).toBe(true);
    expect(reference.some((y) => y > 0)).toBe(true);
  });

  it('identity passes every value through', async () => {
    const input = new TestRandom(2).floats(77, -5, 5);
    expectExact(await gpuActivation(input, { kind: 'identity' }), input);
  });

  for (const [step, levels] of [
    [1 / 8, 8],
    [0.25, 16],
    [2, 5],
    [1 / 64, 2],
  ]) {
    it(`quant, step ${step} (a power of two), ${levels} levels: exact, ties included`, async () => {
      const activation: AnnActivation = { kind: 'quant', step, levels };
      const input = quantInputs(levels * 13, 2003, step, levels);
      const reference = activationReference(input, activation);
      expectExact(await gpuActivation(input, activation), reference);
      const distinct = new Set(reference);
      expect(distinct.size).toBe(levels);
      expect(Math.max(...reference)).toBe(step * (levels - 1));
    });
  }

  it('quant rounds half up and clamps to [0, (levels - 1) step]', () => {
    const activation: AnnActivation = { kind: 'quant', step: 0.5, levels: 4 };
    const input = new Float32Array([-1, 0.24, 0.25, 0.74, 0.75, 1.2, 1.25, 9]);
    expect([...activationReference(input, activation)]).toEqual([0, 0, 0.5, 0.5, 1, 1, 1.5, 1.5]);
  });

  for (const step of [0.1, 0.3, 1 / 3]) {
    it(`quant, step ${step}: differs from the reference only on rounding boundaries, by one step`, async () => {
      const activation: AnnActivation = { kind: 'quant', step, levels: 12 };
      const input = quantInputs(Math.round(step * 1000), 3001, step, 12);
      const reference = activationReference(input, activation);
      const gpu = await gpuActivation(input, activation);
      let boundaryCases = 0;
      for (let i = 0; i < input.length; i++) {
        if (gpu[i] === reference[i]) continue;
        const scaled = input[i] / Math.fround(step) + 0.5;
        const distance = Math.abs(scaled - Math.round(scaled));
        if (distance > 1e-5 * Math.max(1, Math.abs(scaled))) {
          expect.fail(`element ${i}: x = ${input[i]} is not on a boundary, GPU ${gpu[i]}, reference ${reference[i]}`);
        }
        expect(Math.abs(gpu[i] - reference[i])).toBeCloseTo(Math.fround(step), 6);
        boundaryCases++;
      }
      expect(boundaryCases).toBeLessThan(input.length / 7);
    });
  }

  it('applyActivation is the element-wise rule', () => {
    expect(applyActivation(-2, { kind: 'relu' })).toBe(0);
    expect(applyActivation(3, { kind: 'quant', step: 1, levels: 3 })).toBe(2);
  });
});
