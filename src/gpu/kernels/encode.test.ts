import { describe, expect, it } from 'vitest';
import { encodeReference, type EncodeArgs, type EncodeShape } from '../../reference/encode';
import { expectExact } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { recordEncode } from './encode';

const SENTINEL = -7;

/** Random encoder inputs: ids in a vocabulary of `vocab` words, about one in five silent (−1). */
function encoderInputs(seed: number, kind: EncodeArgs['kind'], shape: EncodeShape, vocab: number, positionOffset: number): EncodeArgs {
  const random = new TestRandom(seed);
  const tokenIds = new Int32Array(shape.batch * shape.tokens);
  for (let i = 0; i < tokenIds.length; i++) tokenIds[i] = random.next() < 0.2 ? -1 : random.integer(0, vocab);
  const probabilities = random.floats(vocab * shape.dim, 0, 1);
  probabilities[0] = 0;
  probabilities[1] = 1;
  const streamIds = new Uint32Array(shape.batch);
  for (let b = 0; b < shape.batch; b++) streamIds[b] = random.integer(0, 1 << 30);
  return { kind, seed: random.integer(0, 2 ** 31), shape, positionOffset, tokenIds, probabilities, streamIds };
}

/**
 * Runs the GPU encoder over the given step ranges into an output first filled with SENTINEL,
 * so that steps outside the ranges show whether they were written.
 */
async function gpuEncode(args: EncodeArgs, ranges: [number, number][]): Promise<Float32Array> {
  const ctx = await testGpu();
  const { numSteps, batch, tokens, dim } = args.shape;
  const outputLength = numSteps * batch * tokens * dim;
  const [output] = await runOnGpu(ctx, (pass, arena) => {
    const tokenIds = arena.storage('tokenIds', args.tokenIds);
    const probabilities = arena.storage('probabilities', args.probabilities);
    const streamIds = arena.storage('streamIds', args.streamIds);
    const outputBuffer = arena.storage('output', new Float32Array(outputLength).fill(SENTINEL), GPUBufferUsage.COPY_SRC);
    for (const [tStart, tCount] of ranges) {
      recordEncode(ctx, pass, arena, { ...args, tStart, tCount, tokenIds, probabilities, streamIds, output: outputBuffer });
    }
    return [{ buffer: outputBuffer, byteLength: outputLength * 4 }];
  });
  return output;
}

const cases: { name: string; kind: EncodeArgs['kind']; shape: EncodeShape; vocab: number; positionOffset: number }[] = [
  { name: 'rate, T = 50, batch 3, odd sizes', kind: 'rate', shape: { numSteps: 50, batch: 3, tokens: 7, dim: 13 }, vocab: 11, positionOffset: 0 },
  { name: 'rate, T = 1, position offset 25', kind: 'rate', shape: { numSteps: 1, batch: 5, tokens: 9, dim: 31 }, vocab: 40, positionOffset: 25 },
  { name: 'rate, T = 4, batch 1, dim 300', kind: 'rate', shape: { numSteps: 4, batch: 1, tokens: 25, dim: 300 }, vocab: 30, positionOffset: 3 },
  { name: 'direct, T = 50, batch 2', kind: 'direct', shape: { numSteps: 50, batch: 2, tokens: 5, dim: 17 }, vocab: 6, positionOffset: 0 },
  { name: 'direct, T = 1', kind: 'direct', shape: { numSteps: 1, batch: 4, tokens: 3, dim: 65 }, vocab: 9, positionOffset: 7 },
];

describe('encode kernel (shaders/encode.wgsl) against the reference', () => {
  for (const c of cases) {
    it(`${c.name}: exactly the reference's output`, async () => {
      const args = encoderInputs(c.shape.tokens * 101 + c.shape.numSteps, c.kind, c.shape, c.vocab, c.positionOffset);
      const reference = encodeReference(args);
      expectExact(await gpuEncode(args, [[0, c.shape.numSteps]]), reference);
      expect(reference.some((value) => value > 0)).toBe(true);
      expect(args.tokenIds.some((id) => id === -1)).toBe(true);
    });
  }

  it('dispatching steps in two ranges equals one dispatch, and a range writes only its own steps', async () => {
    const shape = { numSteps: 12, batch: 2, tokens: 6, dim: 10 };
    const args = encoderInputs(4, 'rate', shape, 8, 2);
    const reference = encodeReference(args);
    expectExact(await gpuEncode(args, [[0, 5], [5, 7]]), reference);
    const perStep = shape.batch * shape.tokens * shape.dim;
    const partial = await gpuEncode(args, [[3, 4]]);
    expectExact(partial.subarray(3 * perStep, 7 * perStep), reference.subarray(3 * perStep, 7 * perStep));
    expect(partial.subarray(0, 3 * perStep).every((value) => value === SENTINEL)).toBe(true);
    expect(partial.subarray(7 * perStep).every((value) => value === SENTINEL)).toBe(true);
  });

  it('silent tokens never spike; p = 1 always spikes; p = 0 never does', () => {
    const shape = { numSteps: 30, batch: 1, tokens: 3, dim: 2 };
    const args: EncodeArgs = {
      kind: 'rate',
      seed: 9,
      shape,
      positionOffset: 0,
      tokenIds: new Int32Array([0, -1, 1]),
      probabilities: new Float32Array([1, 0, 0.5, 0.5]),
      streamIds: new Uint32Array([3]),
    };
    const output = encodeReference(args);
    const componentSpikes = (j: number, d: number) => Array.from({ length: 30 }, (_, t) => output[t * 6 + j * 2 + d]);
    expect(componentSpikes(0, 0).every((s) => s === 1)).toBe(true);
    expect(componentSpikes(0, 1).every((s) => s === 0)).toBe(true);
    expect(componentSpikes(1, 0).concat(componentSpikes(1, 1)).every((s) => s === 0)).toBe(true);
    expect(componentSpikes(2, 0).some((s) => s === 1) && componentSpikes(2, 0).some((s) => s === 0)).toBe(true);
  });

  it('the firing rate of a rate-coded component approaches its probability', () => {
    const shape = { numSteps: 400, batch: 1, tokens: 1, dim: 50 };
    const args = encoderInputs(12, 'rate', shape, 1, 0);
    args.tokenIds[0] = 0;
    const output = encodeReference(args);
    for (let d = 0; d < shape.dim; d++) {
      let spikes = 0;
      for (let t = 0; t < shape.numSteps; t++) spikes += output[t * shape.dim + d];
      expect(Math.abs(spikes / shape.numSteps - args.probabilities[d])).toBeLessThan(0.1);
    }
  });

  it('a sentence encoded in two chunks of positions draws the same spikes as in one', () => {
    const shape = { numSteps: 6, batch: 2, tokens: 8, dim: 5 };
    const whole = encoderInputs(21, 'rate', shape, 10, 0);
    const wholeOutput = encodeReference(whole);
    const chunkShape = { ...shape, tokens: 4 };
    for (const offset of [0, 4]) {
      const tokenIds = new Int32Array(shape.batch * 4);
      for (let b = 0; b < shape.batch; b++) tokenIds.set(whole.tokenIds.subarray(b * 8 + offset, b * 8 + offset + 4), b * 4);
      const chunk = encodeReference({ ...whole, shape: chunkShape, tokenIds, positionOffset: offset });
      for (let t = 0; t < shape.numSteps; t++) {
        for (let b = 0; b < shape.batch; b++) {
          const fromWhole = wholeOutput.subarray(((t * 2 + b) * 8 + offset) * 5, ((t * 2 + b) * 8 + offset + 4) * 5);
          expectExact(chunk.subarray((t * 2 + b) * 20, (t * 2 + b + 1) * 20), fromWhole);
        }
      }
    }
  });

  it('rejects a token id outside the vocabulary', () => {
    const args = encoderInputs(1, 'rate', { numSteps: 1, batch: 1, tokens: 2, dim: 3 }, 4, 0);
    args.tokenIds[1] = 4;
    expect(() => encodeReference(args)).toThrow(/outside the vocabulary/);
  });
});
