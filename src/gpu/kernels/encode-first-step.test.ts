import { describe, expect, it } from 'vitest';
import { encodeReference } from '../../reference/encode';
import { expectExact } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { recordEncode } from './encode';

describe('input presented at the first step only', () => {
  it.each([
    ['direct (the analog input of Su et al.)', 'direct' as const, false],
    ['rate (one draw)', 'rate' as const, false],
    ['rate with binary probabilities (exactly one spike per component with p = 1)', 'rate' as const, true],
  ])('%s: GPU and reference equal the every-step input at step 0, 0 afterwards', async (_, kind, binary) => {
    const random = new TestRandom(4);
    const shape = { numSteps: 5, batch: 2, tokens: 3, dim: 4 };
    const probabilities = binary ? Float32Array.from(random.floats(6 * 4, 0, 1), (p) => (p >= 0.5 ? 1 : 0)) : random.floats(6 * 4, 0, 1);
    const tokenIds = Int32Array.from([0, 5, -1, 2, 3, 1]);
    const streamIds = new Uint32Array(2);
    const args = { kind, seed: 1, shape, positionOffset: 0, tokenIds, probabilities, streamIds, firstStepOnly: true };
    const reference = encodeReference(args);
    const perStep = 2 * 3 * 4;
    expect([...reference.subarray(0, perStep)]).toEqual([...encodeReference({ ...args, firstStepOnly: false }).subarray(0, perStep)]);
    expect(reference.subarray(perStep).every((x) => x === 0)).toBe(true);
    expect(reference.subarray(0, perStep).some((x) => x > 0)).toBe(true);
    if (binary) {
      // Every component of a present token equals its probability: the spikes are deterministic.
      const direct = encodeReference({ ...args, kind: 'direct' });
      expect([...reference.subarray(0, perStep)]).toEqual([...direct.subarray(0, perStep)]);
    }
    const ctx = await testGpu();
    const [gpu] = await runOnGpu(ctx, (pass, arena) => {
      const output = arena.scratch('output', reference.byteLength);
      recordEncode(ctx, pass, arena, {
        ...args,
        tStart: 0,
        tCount: 5,
        tokenIds: arena.storage('ids', tokenIds),
        probabilities: arena.storage('p', probabilities),
        streamIds: arena.storage('streams', streamIds),
        output,
      });
      return [{ buffer: output, byteLength: reference.byteLength }];
    });
    expectExact(gpu, reference);
  });
});
