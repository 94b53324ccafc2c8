import { describe, expect, it } from 'vitest';
import { linearReference } from '../../reference/linear';
import { expectClose, expectExact } from '../../test-support/compare';
import { foldingContext, runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import type { GpuContext } from '../context';
import { recordLinear } from './linear';

/** What the output holds before the kernel runs: any element the kernel forgets to write shows up. */
const SENTINEL = -7.25;

interface LinearShape {
  rows: number;
  inFeatures: number;
  outFeatures: number;
}

interface LinearInputs {
  input: Float32Array;
  weights: Float32Array;
  bias: Float32Array | null;
}

/** Seeded inputs: spikes in {0, 1} (about half ones) or analog values. */
function makeInputs(shape: LinearShape, seed: number, kind: 'spikes' | 'analog', withBias: boolean): LinearInputs {
  const random = new TestRandom(seed);
  const inputLength = shape.rows * shape.inFeatures;
  return {
    input: kind === 'spikes' ? random.quantised(inputLength, 0, 1, 1) : random.floats(inputLength, -1, 1),
    weights: random.floats(shape.outFeatures * shape.inFeatures, -0.5, 0.5),
    bias: withBias ? random.floats(shape.outFeatures, -1, 1) : null,
  };
}

function reference(shape: LinearShape, inputs: LinearInputs): Float32Array {
  return linearReference(shape.rows, shape.inFeatures, shape.outFeatures, inputs.input, inputs.weights, inputs.bias);
}

/** Runs recordLinear once per row range on one output buffer, starting from SENTINEL everywhere. */
async function gpuLinear(shape: LinearShape, inputs: LinearInputs, rowRanges: [number, number][], context?: GpuContext): Promise<Float32Array> {
  const ctx = context ?? (await testGpu());
  const outputLength = shape.rows * shape.outFeatures;
  const [output] = await runOnGpu(ctx, (pass, arena) => {
    const input = arena.storage('linear.input', inputs.input);
    const weights = arena.storage('linear.weights', inputs.weights);
    const bias = inputs.bias ? arena.storage('linear.bias', inputs.bias) : null;
    const outputBuffer = arena.storage('linear.output', new Float32Array(outputLength).fill(SENTINEL), GPUBufferUsage.COPY_SRC);
    for (const [rowStart, rowCount] of rowRanges) {
      recordLinear(ctx, pass, arena, { ...shape, rowStart, rowCount, input, weights, bias, output: outputBuffer });
    }
    return [{ buffer: outputBuffer, byteLength: outputLength * 4 }];
  });
  return output;
}

const shapes: { name: string; shape: LinearShape; bias: boolean }[] = [
  { name: 'odd sizes, bias', shape: { rows: 37, inFeatures: 29, outFeatures: 13 }, bias: true },
  { name: 'T = 1, batch 3, several output blocks, no bias', shape: { rows: 3, inFeatures: 17, outFeatures: 45 }, bias: false },
  { name: 'T = 50, batch 2, 300 features to 2 classes (TextCNN head), no bias', shape: { rows: 100, inFeatures: 300, outFeatures: 2 }, bias: false },
  { name: 'T = 50, batch 3, population output of 20, bias', shape: { rows: 150, inFeatures: 64, outFeatures: 20 }, bias: true },
  { name: 'one input feature, bias', shape: { rows: 9, inFeatures: 1, outFeatures: 21 }, bias: true },
];

describe('linear kernel (shaders/linear.wgsl) against the reference', () => {
  for (const [index, { name, shape, bias }] of shapes.entries()) {
    it(`${name}: spike input agrees exactly`, async () => {
      const inputs = makeInputs(shape, 300 + index, 'spikes', bias);
      const expected = reference(shape, inputs);
      expectExact(await gpuLinear(shape, inputs, [[0, shape.rows]]), expected);
      expect(expected.some((value) => value !== 0)).toBe(true);
    });

    it(`${name}: analog input agrees within float32 tolerance`, async () => {
      const inputs = makeInputs(shape, 400 + index, 'analog', bias);
      expectClose(await gpuLinear(shape, inputs, [[0, shape.rows]]), reference(shape, inputs), 1e-4, 1e-5);
    });
  }

  it('one dispatch per time step (rowStart, rowCount) equals one dispatch of all rows, and leaves other rows alone', async () => {
    const shape: LinearShape = { rows: 7 * 3, inFeatures: 33, outFeatures: 27 };
    const inputs = makeInputs(shape, 8, 'spikes', true);
    const whole = await gpuLinear(shape, inputs, [[0, shape.rows]]);
    const perStep = await gpuLinear(shape, inputs, Array.from({ length: 7 }, (_, t): [number, number] => [t * 3, 3]));
    expectExact(perStep, whole);
    const partial = await gpuLinear(shape, inputs, [[6, 9]]);
    const rowLength = shape.outFeatures;
    expectExact(partial.subarray(6 * rowLength, 15 * rowLength), whole.subarray(6 * rowLength, 15 * rowLength));
    expect(partial.subarray(0, 6 * rowLength).every((value) => value === SENTINEL)).toBe(true);
    expect(partial.subarray(15 * rowLength).every((value) => value === SENTINEL)).toBe(true);
  });

  it('a dispatch folded into a 2-D grid (as past 65535 workgroups) computes the same', async () => {
    const ctx = await testGpu();
    const { folding, grids } = foldingContext(ctx);
    const shape: LinearShape = { rows: 520, inFeatures: 10, outFeatures: 95 };
    const inputs = makeInputs(shape, 10, 'spikes', false);
    expectExact(await gpuLinear(shape, inputs, [[0, shape.rows]], folding), reference(shape, inputs));
    expect(grids.some(([, y]) => y > 1)).toBe(true);
  });

  it('rejects a row range outside the tensor', async () => {
    const shape: LinearShape = { rows: 4, inFeatures: 3, outFeatures: 2 };
    await expect(gpuLinear(shape, makeInputs(shape, 1, 'spikes', false), [[3, 2]])).rejects.toThrow(RangeError);
  });
});

describe('linear reference', () => {
  it('computes a hand-worked example: weights [out][in], bias added last', () => {
    // Two rows, three features, two outputs.
    const input = Float32Array.from([1, 2, 3, 0, 1, 0]);
    const weights = Float32Array.from([1, 10, 100, -1, 0, 0.5]);
    const output = linearReference(2, 3, 2, input, weights, Float32Array.from([0.25, -0.25]));
    expect([...output]).toEqual([321.25, 0.25, 10.25, -0.25]);
  });

  it('rounds after every operation in feature order', () => {
    // 2^24 + 1 + 1 is 2^24 in float32 when added one at a time, 2^24 + 2 when the ones are summed first.
    const output = linearReference(1, 3, 1, Float32Array.from([16777216, 1, 1]), Float32Array.from([1, 1, 1]), null);
    expect(output[0]).toBe(16777216);
  });
});
