import { describe, expect, it } from 'vitest';
import { expectExact } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { recordCopy } from './copy';

/** Copies the first `count` values of `values` on the GPU into a buffer of `values.length` zeros. */
async function gpuCopy(values: Float32Array, count: number, perThread = 1): Promise<Float32Array> {
  const ctx = await testGpu();
  const [copied] = await runOnGpu(ctx, (pass, arena) => {
    const input = arena.storage('input', values);
    const output = arena.scratch('output', values.byteLength);
    recordCopy(ctx, pass, arena, { count, input, output, perThread });
    return [{ buffer: output, byteLength: values.byteLength }];
  });
  return copied;
}

describe('copy kernel (shaders/copy.wgsl)', () => {
  it('copies every value of an odd-sized buffer bit for bit', async () => {
    const values = new TestRandom(5).floats(1003, -10, 10);
    expectExact(await gpuCopy(values, values.length), values);
  });

  it('copies strided runs of several values per thread, the neuron kernel\'s pattern, with a ragged end', async () => {
    const values = new TestRandom(7).floats(1001, -1, 1);
    expectExact(await gpuCopy(values, values.length, 16), values);
  });

  it('copies only the first `count` values', async () => {
    const values = new TestRandom(6).floats(100, 1, 2);
    const copied = await gpuCopy(values, 37);
    expectExact(copied.subarray(0, 37), values.subarray(0, 37));
    expect(copied.subarray(37).every((value) => value === 0)).toBe(true);
  });

  it('covers more than 65535 workgroups (a dispatch folded into two dimensions)', async () => {
    const ctx = await testGpu();
    const count = ctx.limits.maxComputeWorkgroupsPerDimension * 64 + 129;
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = i;
    const copied = await gpuCopy(values, count);
    expect(ctx.grid1d(count, 64)[1]).toBeGreaterThan(1);
    expectExact(copied, values);
  });
});
