import { describe, expect, it } from 'vitest';
import { poolSumReference, scaleRowsReference, type PoolShape } from '../../reference/pool';
import { expectExact } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { BufferArena } from '../arena';
import { recordPoolSum, recordScaleRows } from './pool';

const SENTINEL = -7;

/** One recordPoolSum call: its input, valid positions, rows and whether it accumulates. */
interface PoolCall {
  shape: PoolShape;
  input: Float32Array;
  validPositions: Uint32Array;
  rowStart: number;
  rowCount: number;
  accumulate: boolean;
}

/** Runs pooling calls in order on one output `[rows][channels]` that starts as `initial`. */
async function gpuPoolSum(calls: PoolCall[], initial: Float32Array): Promise<Float32Array> {
  const ctx = await testGpu();
  const [output] = await runOnGpu(ctx, (pass, arena) => {
    const outputBuffer = arena.storage('output', initial, GPUBufferUsage.COPY_SRC);
    calls.forEach((call, i) => {
      const input = arena.storage(`input${i}`, call.input);
      const validPositions = arena.storage(`validPositions${i}`, call.validPositions);
      recordPoolSum(ctx, pass, arena, { ...call, input, validPositions, output: outputBuffer });
    });
    return [{ buffer: outputBuffer, byteLength: initial.byteLength }];
  });
  return output;
}

/** Random valid-position counts in [0, positions + 2]: empty, partial, full and over-long masks. */
function randomValid(random: TestRandom, batch: number, channels: number, positions: number): Uint32Array {
  const valid = new Uint32Array(batch * channels);
  for (let i = 0; i < valid.length; i++) valid[i] = random.integer(0, positions + 3);
  return valid;
}

const shapes: { name: string; shape: PoolShape }[] = [
  { name: 'T = 50, batch 3, odd sizes', shape: { rows: 150, batch: 3, positions: 23, channels: 37 } },
  { name: 'T = 1, batch 4, 300 channels', shape: { rows: 4, batch: 4, positions: 25, channels: 300 } },
  { name: 'one position, one channel', shape: { rows: 7, batch: 7, positions: 1, channels: 1 } },
];

describe('pool kernel (shaders/pool.wgsl) against the reference', () => {
  for (const { name, shape } of shapes) {
    it(`sum, ${name}: exactly the reference's sums`, async () => {
      const random = new TestRandom(shape.rows * 7 + shape.channels);
      const input = random.floats(shape.rows * shape.positions * shape.channels, -1, 2);
      const validPositions = randomValid(random, shape.batch, shape.channels, shape.positions);
      const reference = poolSumReference(shape, input, validPositions);
      const call = { shape, input, validPositions, rowStart: 0, rowCount: shape.rows, accumulate: false };
      expectExact(await gpuPoolSum([call], new Float32Array(shape.rows * shape.channels).fill(SENTINEL)), reference);
    });
  }

  it('masked positions do not count: a row sums only its leading valid positions', () => {
    const shape = { rows: 2, batch: 2, positions: 3, channels: 1 };
    const input = new Float32Array([1, 2, 4, 8, 16, 32]);
    expect([...poolSumReference(shape, input, new Uint32Array([2, 0]))]).toEqual([3, 0]);
    expect([...poolSumReference(shape, input, new Uint32Array([9, 3]))]).toEqual([7, 56]);
  });

  it('two row ranges equal one dispatch, and a range writes only its own rows', async () => {
    const shape = { rows: 30, batch: 3, positions: 9, channels: 11 };
    const random = new TestRandom(8);
    const input = random.floats(shape.rows * shape.positions * shape.channels, -1, 1);
    const validPositions = randomValid(random, shape.batch, shape.channels, shape.positions);
    const reference = poolSumReference(shape, input, validPositions);
    const initial = new Float32Array(shape.rows * shape.channels).fill(SENTINEL);
    const part = (rowStart: number, rowCount: number) => ({ shape, input, validPositions, rowStart, rowCount, accumulate: false });
    expectExact(await gpuPoolSum([part(0, 13), part(13, 17)], initial), reference);
    const partial = await gpuPoolSum([part(6, 9)], initial);
    expectExact(partial.subarray(6 * 11, 15 * 11), reference.subarray(6 * 11, 15 * 11));
    expect(partial.subarray(0, 6 * 11).every((value) => value === SENTINEL)).toBe(true);
    expect(partial.subarray(15 * 11).every((value) => value === SENTINEL)).toBe(true);
  });

  it('pooling positions in two chunks with accumulate equals pooling them at once, on both backends', async () => {
    const shape = { rows: 20, batch: 4, positions: 17, channels: 13 };
    const random = new TestRandom(9);
    const input = random.floats(shape.rows * shape.positions * shape.channels, -1, 1);
    const validPositions = randomValid(random, shape.batch, shape.channels, shape.positions);
    const reference = poolSumReference(shape, input, validPositions);
    const split = 6;
    const chunks = [
      { first: 0, count: split },
      { first: split, count: shape.positions - split },
    ].map(({ first, count }, i) => {
      const chunkShape = { ...shape, positions: count };
      const chunkInput = new Float32Array(shape.rows * count * shape.channels);
      for (let r = 0; r < shape.rows; r++) {
        const from = (r * shape.positions + first) * shape.channels;
        chunkInput.set(input.subarray(from, from + count * shape.channels), r * count * shape.channels);
      }
      const chunkValid = validPositions.map((valid) => Math.max(0, Math.min(valid, first + count) - first));
      return { shape: chunkShape, input: chunkInput, validPositions: chunkValid, rowStart: 0, rowCount: shape.rows, accumulate: i > 0 };
    });
    const cpu = poolSumReference(chunks[0].shape, chunks[0].input, chunks[0].validPositions);
    expect(poolSumReference(chunks[1].shape, chunks[1].input, chunks[1].validPositions, cpu)).toBe(cpu);
    expectExact(cpu, reference);
    expectExact(await gpuPoolSum(chunks, new Float32Array(shape.rows * shape.channels).fill(SENTINEL)), reference);
  });

  it('scale rows: exactly the reference, only in the given rows; a sum then a scale is the average', async () => {
    const rows = 12;
    const batch = 4;
    const channels = 9;
    const random = new TestRandom(10);
    const values = random.floats(rows * channels, -3, 3);
    const validCounts = Array.from({ length: batch * channels }, () => random.integer(1, 26));
    const scale = new Float32Array(validCounts.map((count) => 1 / count));
    const ctx = await testGpu();
    const run = (rowStart: number, rowCount: number) =>
      runOnGpu(ctx, (pass, arena) => {
        const valuesBuffer = arena.storage('values', values, GPUBufferUsage.COPY_SRC);
        const scaleBuffer = arena.storage('scale', scale);
        recordScaleRows(ctx, pass, arena, { rows, rowStart, rowCount, batch, channels, values: valuesBuffer, scale: scaleBuffer });
        return [{ buffer: valuesBuffer, byteLength: values.byteLength }];
      });
    const reference = values.slice();
    scaleRowsReference(rows, batch, channels, reference, scale);
    expectExact((await run(0, rows))[0], reference);
    const [partial] = await run(5, 4);
    expectExact(partial.subarray(5 * channels, 9 * channels), reference.subarray(5 * channels, 9 * channels));
    expectExact(partial.subarray(0, 5 * channels), values.subarray(0, 5 * channels));
    expectExact(partial.subarray(9 * channels), values.subarray(9 * channels));

    const averaged = new Float32Array([2, 4, 6]);
    scaleRowsReference(3, 1, 1, averaged, new Float32Array([0.5]));
    expect([...averaged]).toEqual([1, 2, 3]);
  });

  it('rejects a row range outside the rows', async () => {
    const ctx = await testGpu();
    const encoder = ctx.device.createCommandEncoder({ label: 'pool.rejects' });
    const pass = encoder.beginComputePass();
    const arena = new BufferArena(ctx.device, 'pool.rejects');
    const dummy = arena.scratch('dummy', 16);
    const shape = { rows: 4, batch: 2, positions: 3, channels: 2 };
    expect(() =>
      recordPoolSum(ctx, pass, arena, { shape, rowStart: 3, rowCount: 2, input: dummy, validPositions: dummy, output: dummy, accumulate: false }),
    ).toThrow(/outside \[0, 4\)/);
    pass.end();
    arena.destroy();
  });
});
