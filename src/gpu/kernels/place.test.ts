import { describe, expect, it } from 'vitest';
import { placeReference, type PlaceShape } from '../../reference/place';
import { expectExact } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { recordPlace } from './place';

async function gpuPlace(shape: PlaceShape, groupStart: number, accumulate: boolean, input: Float32Array, initial: Float32Array): Promise<Float32Array> {
  const ctx = await testGpu();
  const [output] = await runOnGpu(ctx, (pass, arena) => {
    const outputBuffer = arena.storage('output', initial, GPUBufferUsage.COPY_SRC);
    recordPlace(ctx, pass, arena, { shape, groupStart, accumulate, input: arena.storage('input', input), output: outputBuffer });
    return [{ buffer: outputBuffer, byteLength: initial.byteLength }];
  });
  return output;
}

describe('place kernel (shaders/place.wgsl) against the reference', () => {
  const shape: PlaceShape = { groups: 6, positionsIn: 5, channelsIn: 3, positionsOut: 7, channelsOut: 8, channelOffset: 4 };
  const random = new TestRandom(11);
  const input = random.floats(shape.groups * shape.positionsIn * shape.channelsIn, -2, 2);
  const initial = random.floats(shape.groups * shape.positionsOut * shape.channelsOut, -2, 2);

  it('places channels at an offset, zeros past the input positions, other channels untouched', async () => {
    const reference = initial.slice();
    placeReference(shape, input, reference, false);
    expectExact(await gpuPlace(shape, 0, false, input, initial), reference);
    // Channel 4 of position 6 (past the input's 5) is 0; channel 0 is the initial value.
    expect(reference[6 * 8 + 4]).toBe(0);
    expect(reference[0]).toBe(initial[0]);
    expect(reference[3 * 8 + 5]).toBe(input[3 * 3 + 1]);
  });

  it('adds onto the output (sums of layers), exactly as the twin', async () => {
    const reference = initial.slice();
    placeReference(shape, input, reference, true);
    expectExact(await gpuPlace(shape, 0, true, input, initial), reference);
    expect(reference[8 + 4]).toBe(Math.fround(initial[8 + 4] + input[3]));
  });

  it('covers only the groups of a range of steps', async () => {
    const part = { ...shape, groups: 2 };
    const reference = initial.slice();
    const from = 3;
    placeReference(
      part,
      input.subarray(from * shape.positionsIn * shape.channelsIn),
      reference.subarray(from * shape.positionsOut * shape.channelsOut),
      false,
    );
    const gpu = await gpuPlace(part, from, false, input, initial);
    expectExact(gpu, reference);
    expect(Array.from(gpu.subarray(0, from * 7 * 8))).toEqual(Array.from(initial.subarray(0, from * 7 * 8)));
  });
});
