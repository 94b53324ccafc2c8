import { describe, expect, it } from 'vitest';
import { convChannelsOf, convPositionsOf, convReference, convBranchWeightOffsets, type ConvShape } from '../../reference/conv';
import { expectClose, expectExact } from '../../test-support/compare';
import { foldingContext, runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import type { GpuContext } from '../context';
import { recordConv } from './conv';

/** What the output holds before the kernel runs: any element the kernel forgets to write shows up. */
const SENTINEL = -7.25;

interface ConvInputs {
  input: Float32Array;
  weights: Float32Array;
  bias: Float32Array | null;
  lengths: Uint32Array;
}

function weightCount(shape: ConvShape): number {
  return shape.widths.reduce((total, width) => total + shape.filters * width * shape.inChannels, 0);
}

/** Seeded inputs: spikes in {0, 1} (about half ones) or analog values; lengths as given. */
function makeInputs(shape: ConvShape, seed: number, kind: 'spikes' | 'analog', lengths: number[], withBias: boolean): ConvInputs {
  const random = new TestRandom(seed);
  const inputLength = shape.rows * shape.tokens * shape.inChannels;
  const input = kind === 'spikes' ? random.quantised(inputLength, 0, 1, 1) : random.floats(inputLength, -1, 1);
  return {
    input,
    weights: random.floats(weightCount(shape), -0.5, 0.5),
    bias: withBias ? random.floats(convChannelsOf(shape), -1, 1) : null,
    lengths: Uint32Array.from(lengths),
  };
}

/** Runs recordConv once per row range on one output buffer, starting from SENTINEL everywhere. */
async function gpuConv(shape: ConvShape, inputs: ConvInputs, rowRanges: [number, number][], context?: GpuContext): Promise<Float32Array> {
  const ctx = context ?? (await testGpu());
  const outputLength = shape.rows * convPositionsOf(shape) * convChannelsOf(shape);
  const [output] = await runOnGpu(ctx, (pass, arena) => {
    const input = arena.storage('conv.input', inputs.input);
    const weights = arena.storage('conv.weights', inputs.weights);
    const bias = inputs.bias ? arena.storage('conv.bias', inputs.bias) : null;
    const lengths = arena.storage('conv.lengths', inputs.lengths);
    const outputBuffer = arena.storage('conv.output', new Float32Array(outputLength).fill(SENTINEL), GPUBufferUsage.COPY_SRC);
    for (const [rowStart, rowCount] of rowRanges) {
      recordConv(ctx, pass, arena, { shape, rowStart, rowCount, input, weights, bias, lengths, output: outputBuffer });
    }
    return [{ buffer: outputBuffer, byteLength: outputLength * 4 }];
  });
  return output;
}

/** Every output is written; masked ones (j + width > length of the sample) are exactly 0. Returns the valid count. */
function expectMasking(shape: ConvShape, output: Float32Array, lengths: Uint32Array): number {
  const positions = convPositionsOf(shape);
  const channels = convChannelsOf(shape);
  let validCount = 0;
  for (let r = 0; r < shape.rows; r++) {
    const length = Math.min(lengths[r % shape.batch], shape.tokens);
    for (let j = 0; j < positions; j++) {
      for (let c = 0; c < channels; c++) {
        const value = output[(r * positions + j) * channels + c];
        expect(value, `row ${r} position ${j} channel ${c} was never written`).not.toBe(SENTINEL);
        if (j + shape.widths[Math.floor(c / shape.filters)] > length) {
          expect(Object.is(value, 0), `row ${r} position ${j} channel ${c} is masked but holds ${value}`).toBe(true);
        } else validCount++;
      }
    }
  }
  return validCount;
}

const shapes: { name: string; shape: ConvShape; lengths: number[]; bias: boolean }[] = [
  {
    name: 'widths [3, 4, 5], odd sizes, T = 3, batch 2, bias',
    shape: { rows: 6, batch: 2, tokens: 11, inChannels: 7, widths: [3, 4, 5], filters: 23 },
    lengths: [11, 6],
    bias: true,
  },
  { name: 'single width, T = 1, batch 3, no bias', shape: { rows: 3, batch: 3, tokens: 9, inChannels: 5, widths: [3], filters: 5 }, lengths: [9, 4, 3], bias: false },
  {
    name: 'T = 50, batch 2, samples of different lengths, no bias',
    shape: { rows: 100, batch: 2, tokens: 8, inChannels: 6, widths: [3, 4, 5], filters: 21 },
    lengths: [8, 5],
    bias: false,
  },
  {
    name: 'tokens shorter than the widest width, empty and too-short samples, bias',
    shape: { rows: 8, batch: 4, tokens: 4, inChannels: 3, widths: [2, 5, 7], filters: 41 },
    lengths: [4, 0, 1, 3],
    bias: true,
  },
  {
    name: 'one channel, width 1, T = 50, batch 1, bias',
    shape: { rows: 50, batch: 1, tokens: 5, inChannels: 1, widths: [1], filters: 3 },
    lengths: [5],
    bias: true,
  },
];

describe('conv kernel (shaders/conv.wgsl) against the reference', () => {
  for (const [index, { name, shape, lengths, bias }] of shapes.entries()) {
    it(`${name}: spike input agrees exactly, masked outputs are 0`, async () => {
      const inputs = makeInputs(shape, 100 + index, 'spikes', lengths, bias);
      const reference = convReference(shape, inputs.input, inputs.weights, inputs.bias, inputs.lengths);
      const gpu = await gpuConv(shape, inputs, [[0, shape.rows]]);
      expectExact(gpu, reference);
      expect(expectMasking(shape, gpu, inputs.lengths)).toBeGreaterThan(0);
      expect(reference.some((value) => value !== 0)).toBe(true);
    });

    it(`${name}: analog input agrees within float32 tolerance`, async () => {
      const inputs = makeInputs(shape, 200 + index, 'analog', lengths, bias);
      const reference = convReference(shape, inputs.input, inputs.weights, inputs.bias, inputs.lengths);
      const gpu = await gpuConv(shape, inputs, [[0, shape.rows]]);
      expectClose(gpu, reference, 1e-4, 1e-5);
      expectMasking(shape, gpu, inputs.lengths);
    });
  }

  it('one dispatch per time step (rowStart, rowCount) equals one dispatch of all rows, and leaves other rows alone', async () => {
    const shape: ConvShape = { rows: 5 * 3, batch: 3, tokens: 10, inChannels: 9, widths: [3, 4, 5], filters: 22 };
    const inputs = makeInputs(shape, 7, 'spikes', [10, 7, 2], true);
    const whole = await gpuConv(shape, inputs, [[0, shape.rows]]);
    const perStep = await gpuConv(shape, inputs, [0, 1, 2, 3, 4].map((t): [number, number] => [t * 3, 3]));
    expectExact(perStep, whole);
    const partial = await gpuConv(shape, inputs, [[3, 6]]);
    const rowLength = convPositionsOf(shape) * convChannelsOf(shape);
    expectExact(partial.subarray(3 * rowLength, 9 * rowLength), whole.subarray(3 * rowLength, 9 * rowLength));
    expect(partial.subarray(0, 3 * rowLength).every((value) => value === SENTINEL)).toBe(true);
    expect(partial.subarray(9 * rowLength).every((value) => value === SENTINEL)).toBe(true);
  });

  it('a dispatch folded into a 2-D grid (as past 65535 workgroups) computes the same', async () => {
    const ctx = await testGpu();
    const { folding, grids } = foldingContext(ctx);
    const shape: ConvShape = { rows: 64, batch: 4, tokens: 12, inChannels: 4, widths: [3, 5], filters: 90 };
    const inputs = makeInputs(shape, 9, 'spikes', [12, 9, 5, 3], false);
    const reference = convReference(shape, inputs.input, inputs.weights, inputs.bias, inputs.lengths);
    expectExact(await gpuConv(shape, inputs, [[0, shape.rows]], folding), reference);
    expect(grids.some(([, y]) => y > 1)).toBe(true);
  });

  it('tokens shorter than every width: no positions, nothing written, no error', async () => {
    const shape: ConvShape = { rows: 2, batch: 2, tokens: 2, inChannels: 3, widths: [3, 4], filters: 4 };
    const inputs = makeInputs(shape, 5, 'spikes', [2, 1], true);
    expect(convPositionsOf(shape)).toBe(0);
    expect(convReference(shape, inputs.input, inputs.weights, inputs.bias, inputs.lengths)).toHaveLength(0);
    expect(await gpuConv(shape, inputs, [[0, 2]])).toHaveLength(0);
  });

  it('rejects a row range outside the tensor', async () => {
    const ctx = await testGpu();
    const shape: ConvShape = { rows: 4, batch: 2, tokens: 5, inChannels: 2, widths: [2], filters: 2 };
    const inputs = makeInputs(shape, 3, 'spikes', [5, 5], false);
    await expect(gpuConv(shape, inputs, [[2, 3]], ctx)).rejects.toThrow(RangeError);
  });
});

describe('conv reference', () => {
  it('computes a hand-worked example: taps in order, bias last, masked past the length', () => {
    // tokens 3, one channel, one filter of width 2 with weights [1, 2]; input 1, 10, 100; bias 0.5.
    const shape: ConvShape = { rows: 2, batch: 2, tokens: 3, inChannels: 1, widths: [2], filters: 1 };
    const input = Float32Array.from([1, 10, 100, 1, 10, 100]);
    const output = convReference(shape, input, Float32Array.from([1, 2]), Float32Array.from([0.5]), Uint32Array.from([3, 2]));
    expect([...output]).toEqual([21.5, 210.5, 21.5, 0]);
  });

  it('numbers channels branch by branch and offsets weights in the order of widths', () => {
    const shape: ConvShape = { rows: 1, batch: 1, tokens: 4, inChannels: 2, widths: [1, 3], filters: 2 };
    expect(convBranchWeightOffsets(shape)).toEqual([0, 4]);
    expect(convChannelsOf(shape)).toBe(4);
    expect(convPositionsOf(shape)).toBe(4);
    const weights = new Float32Array(4 + 12);
    weights[4 + 6 + 5] = 1; // branch 1, filter 1, tap 2, channel 1
    const input = new Float32Array(8);
    input[3 * 2 + 1] = 3; // token 3, channel 1
    const output = convReference(shape, input, weights, null, Uint32Array.from([4]));
    // Only position 1 of channel 3 (branch 1, filter 1) sees token 3 at tap 2; positions 2, 3 are masked for width 3.
    expect([...output]).toEqual([0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
