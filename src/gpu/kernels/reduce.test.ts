import { describe, expect, it } from 'vitest';
import { countEventsReference, readoutReference, sumOverTimeReference } from '../../reference/reduce';
import { expectExact } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import type { BufferArena } from '../arena';
import type { GpuContext } from '../context';
import { recordCountEvents, recordReadout, recordSumOverTime } from './reduce';

/** Spikes with values in {0, 1}, or {−1, 0, 1} when `bipolar`, firing with probability `rate`. */
function randomSpikes(seed: number, length: number, bipolar: boolean, rate = 0.3): Float32Array {
  const random = new TestRandom(seed);
  const spikes = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    if (random.next() < rate) spikes[i] = bipolar && random.next() < 0.4 ? -1 : 1;
  }
  return spikes;
}

/** Uploads `input`, records one reduction into an output of `outputs` values, and reads it back. */
async function gpuReduce(
  input: Float32Array,
  outputs: number,
  record: (ctx: GpuContext, pass: GPUComputePassEncoder, arena: BufferArena, buffers: { input: GPUBuffer; output: GPUBuffer }) => void,
): Promise<Float32Array> {
  const ctx = await testGpu();
  const [output] = await runOnGpu(ctx, (pass, arena) => {
    const buffers = { input: arena.storage('input', input), output: arena.scratch('output', outputs * 4) };
    record(ctx, pass, arena, buffers);
    return [{ buffer: buffers.output, byteLength: outputs * 4 }];
  });
  return output;
}

describe('reduce kernels (shaders/reduce.wgsl) against the reference', () => {
  for (const [numSteps, n, bipolar] of [
    [50, 1001, true],
    [1, 333, false],
    [16, 7, true],
  ] as const) {
    it(`sum over time, T = ${numSteps}, ${n} neurons${bipolar ? ', bipolar' : ''}: exact signed counts`, async () => {
      const input = randomSpikes(numSteps * n, numSteps * n, bipolar);
      const reference = sumOverTimeReference(input, numSteps, n);
      expectExact(await gpuReduce(input, n, (ctx, pass, arena, buffers) => recordSumOverTime(ctx, pass, arena, { numSteps, n, ...buffers })), reference);
      if (bipolar && numSteps > 1) expect(reference.some((count) => count < 0)).toBe(true);
    });
  }

  for (const [numSteps, batch, positions, channels] of [
    [50, 3, 23, 300],
    [1, 2, 5, 17],
    [7, 1, 1, 1],
  ]) {
    it(`count events, T = ${numSteps}, batch ${batch}, ${positions} positions x ${channels} channels: exact`, async () => {
      const input = randomSpikes(channels + positions, numSteps * batch * positions * channels, true, 0.6);
      const reference = countEventsReference(input, numSteps, batch, positions, channels);
      const gpu = await gpuReduce(input, batch * positions, (ctx, pass, arena, buffers) =>
        recordCountEvents(ctx, pass, arena, { numSteps, batch, positions, channels, ...buffers }),
      );
      expectExact(gpu, reference);
      expect(reference.every((events) => events >= 0)).toBe(true);
    });
  }

  for (const [numSteps, batch, classes, population] of [
    [50, 4, 5, 10],
    [1, 3, 2, 1],
    [9, 2, 3, 7],
  ]) {
    it(`readout, T = ${numSteps}, batch ${batch}, ${classes} classes x ${population}: exact`, async () => {
      const input = randomSpikes(classes * 31 + population, numSteps * batch * classes * population, true, 0.5);
      const reference = readoutReference(input, numSteps, batch, classes, population);
      const gpu = await gpuReduce(input, batch * classes, (ctx, pass, arena, buffers) =>
        recordReadout(ctx, pass, arena, { numSteps, batch, classes, population, ...buffers }),
      );
      expectExact(gpu, reference);
    });
  }

  it('the reductions mean what they say on a hand-made example', () => {
    // [T = 2][batch = 1][positions = 2][channels = 2]
    const spikes = new Float32Array([1, -1, 0, 1, /* t = 1 */ 1, 0, 1, 1]);
    expect([...sumOverTimeReference(spikes, 2, 4)]).toEqual([2, -1, 1, 2]);
    expect([...countEventsReference(spikes, 2, 1, 2, 2)]).toEqual([3, 3]);
    // the same values as [T = 2][batch = 1][classes = 2][population = 2]
    expect([...readoutReference(spikes, 2, 1, 2, 2)]).toEqual([1, 3]);
  });
});
