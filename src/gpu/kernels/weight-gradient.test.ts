import { describe, expect, it } from 'vitest';
import { linearWeightBackwardReference } from '../../reference/linear-train';
import { expectClose } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { blockedWeightGradientFits, recordBlockedWeightGradient, recordLinearWeightBackward } from './linear-train';

describe('blocked weight gradient (shaders/weight_gradient.wgsl) against the reference', () => {
  for (const shape of [
    { rows: 300, inFeatures: 104, outFeatures: 128 },
    { rows: 7, inFeatures: 4, outFeatures: 12 },
  ]) {
    it(`${shape.rows} rows, ${shape.inFeatures} in, ${shape.outFeatures} out: the sums of the reference, as the plain kernel`, async () => {
      const random = new TestRandom(shape.rows);
      const input = random.floats(shape.rows * shape.inFeatures, -1, 1);
      const gradOutput = random.floats(shape.rows * shape.outFeatures, -1, 1);
      const ctx = await testGpu();
      const bytes = shape.inFeatures * shape.outFeatures * 4;
      const [blocked, plain] = await runOnGpu(ctx, (pass, arena) => {
        const buffers = { input: arena.storage('input', input), gradOutput: arena.storage('gradOutput', gradOutput) };
        const blockedOut = arena.scratch('blocked', bytes);
        const plainOut = arena.scratch('plain', bytes);
        recordBlockedWeightGradient(ctx, pass, arena, { shape, ...buffers, gradWeights: blockedOut });
        recordLinearWeightBackward(ctx, pass, arena, { shape, ...buffers, gradWeights: plainOut, gradBias: null });
        return [
          { buffer: blockedOut, byteLength: bytes },
          { buffer: plainOut, byteLength: bytes },
        ];
      });
      expectClose(blocked, linearWeightBackwardReference(shape, input, gradOutput).weights, 1e-4, 1e-4);
      expectClose(blocked, plain, 1e-5, 1e-5);
    });
  }

  it('takes only feature counts that are multiples of 4', () => {
    expect(blockedWeightGradientFits({ rows: 10, inFeatures: 101, outFeatures: 128 })).toBe(false);
    expect(blockedWeightGradientFits({ rows: 10, inFeatures: 104, outFeatures: 128 })).toBe(true);
  });
});
