import { describe, expect, it } from 'vitest';
import type { AnnActivation } from '../../model/spec';
import { thresholdOf, type NeuronParams } from '../../reference/neuron';
import { tokenRecurrentReference, type TokenRecurrentArgs } from '../../reference/token-recurrent';
import { expectClose, expectExact, expectSpikeTrainsAgree } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { createNeuronLayerBuffers } from './neuron';
import { recordTokenRecurrent } from './token-recurrent';

function bif(hidden: number, levels: number, overrides: Partial<NeuronParams> = {}): NeuronParams {
  return { model: 'BIF', reset: 'soft', vThreshold: new Float32Array([1]), channels: hidden, beta: 1, vReset: 0, vInitFraction: 0.5, levels, ...overrides };
}

/** Runs the GPU kernel over blocks of positions `[start, end)` (default: one block), carrying the counts. */
async function gpuTokenRecurrent(args: TokenRecurrentArgs, blocks: [number, number][] = [[0, args.positions]]) {
  const ctx = await testGpu();
  const { numSteps, batch, positions, hidden } = args;
  const perStep = batch * positions * hidden;
  const spikes = new Float32Array(numSteps * perStep);
  const membrane = new Float32Array(numSteps * perStep);
  let carry = args.carry ?? new Float32Array(batch * hidden);
  for (const [start, end] of blocks) {
    const size = end - start;
    // The block's slice of x, `[T][batch][size][hidden]`.
    const xSteps = args.xBroadcast ? 1 : numSteps;
    const x = new Float32Array(xSteps * batch * size * hidden);
    for (let t = 0; t < xSteps; t++) {
      for (let b = 0; b < batch; b++) {
        const from = ((t * batch + b) * positions + start) * hidden;
        x.set(args.x.subarray(from, from + size * hidden), (t * batch + b) * size * hidden);
      }
    }
    const valid = Uint32Array.from(args.validPositions, (v) => Math.max(0, Math.min(size, v - start)));
    const bytes = numSteps * batch * size * hidden * 4;
    const [blockSpikes, blockMembrane, blockCarry] = await runOnGpu(ctx, (pass, arena) => {
      const spikesBuffer = arena.scratch('spikes', bytes);
      const membraneBuffer = arena.scratch('membrane', bytes);
      const carryBuffer = arena.storage('carry', carry, GPUBufferUsage.COPY_SRC);
      recordTokenRecurrent(ctx, pass, arena, {
        ...args,
        positions: size,
        x: arena.storage('x', x),
        recurrentWeights: arena.storage('U', args.recurrentWeights),
        validPositions: arena.storage('valid', valid),
        carry: carryBuffer,
        continues: start > 0 || args.carry !== undefined,
        spikes: spikesBuffer,
        layer: createNeuronLayerBuffers(arena, args.params, 1, 'tokenRecurrent'),
        membrane: membraneBuffer,
      });
      return [
        { buffer: spikesBuffer, byteLength: bytes },
        { buffer: membraneBuffer, byteLength: bytes },
        { buffer: carryBuffer, byteLength: batch * hidden * 4 },
      ];
    });
    for (let t = 0; t < numSteps; t++) {
      for (let b = 0; b < batch; b++) {
        const to = ((t * batch + b) * positions + start) * hidden;
        const from = (t * batch + b) * size * hidden;
        spikes.set(blockSpikes.subarray(from, from + size * hidden), to);
        membrane.set(blockMembrane.subarray(from, from + size * hidden), to);
      }
    }
    carry = blockCarry;
  }
  return { spikes, membrane, carry };
}

/**
 * Inputs on a grid of 2^-6, where every float32 sum of the kernel is exact: `firstStep` presents the
 * current at step 0 only (the analog input of the lossless conversion), otherwise at every step.
 */
function quantisedArgs(seed: number, shape: { numSteps: number; batch: number; positions: number; hidden: number }, firstStep: boolean, levels = 4): TokenRecurrentArgs {
  const random = new TestRandom(seed);
  const { numSteps, batch, positions, hidden } = shape;
  const perStep = batch * positions * hidden;
  const x = new Float32Array(numSteps * perStep);
  x.set(random.quantised(firstStep ? perStep : numSteps * perStep, firstStep ? -96 : -24, firstStep ? 192 : 40, 1 / 64));
  return {
    ...shape,
    params: bif(hidden, levels),
    x,
    recurrentWeights: random.quantised(hidden * hidden, -24, 24, 1 / 64).map((w) => w / Math.sqrt(hidden)).map((w) => Math.round(w * 64) / 64),
    validPositions: Uint32Array.from({ length: batch }, (_, b) => (b === 1 ? Math.max(0, positions - 3) : b === 2 ? 1 : positions)),
    recordMembrane: true,
  };
}

/** Counts `[batch][positions][hidden]` of a spike train `[T][batch][positions][hidden]`. */
function countsOf(spikes: Float32Array, numSteps: number): Float32Array {
  const inner = spikes.length / numSteps;
  const out = new Float32Array(inner);
  for (let t = 0; t < numSteps; t++) for (let i = 0; i < inner; i++) out[i] += spikes[t * inner + i];
  return out;
}

describe('token-recurrent kernel (shaders/token_recurrent.wgsl) against the reference', () => {
  for (const [numSteps, batch, positions, hidden, firstStep] of [
    [8, 3, 7, 150, true],
    [4, 4, 9, 67, true],
    [12, 3, 5, 128, false],
    [6, 2, 4, 256, false],
    [3, 3, 6, 1, false],
  ] as [number, number, number, number, boolean][]) {
    it(`BIF, T = ${numSteps}, batch ${batch}, ${positions} positions, hidden ${hidden}, input ${firstStep ? 'at the first step' : 'at every step'}: exact count for count`, async () => {
      const args = quantisedArgs(numSteps * 1000 + hidden, { numSteps, batch, positions, hidden }, firstStep);
      const reference = tokenRecurrentReference(args);
      const gpu = await gpuTokenRecurrent(args);
      expectExact(gpu.spikes, reference.spikes);
      expectExact(gpu.membrane, reference.membrane!);
      expectExact(gpu.carry, reference.carry);
      const counts = countsOf(reference.spikes, numSteps);
      expect(counts.every((c) => c >= 0 && c <= 3)).toBe(true);
      expect(counts.some((c) => c > 0)).toBe(true);
      if (!firstStep && hidden > 1) expect(reference.spikes.some((s) => s === -1)).toBe(true);
      // Positions past a sample's length are silent.
      const silent = (b: number, q: number) => Array.from({ length: numSteps * hidden }, (_, k) => reference.spikes[((Math.floor(k / hidden) * batch + b) * positions + q) * hidden + (k % hidden)]);
      expect(silent(Math.min(2, batch - 1), positions - 1).every((s) => s === 0)).toBe(true);
      if (hidden > 1) {
        // The recurrence matters: without U the same inputs give other spikes.
        const alone = tokenRecurrentReference({ ...args, recurrentWeights: new Float32Array(hidden * hidden) });
        expect(alone.spikes.some((s, i) => s !== reference.spikes[i])).toBe(true);
      }
    });
  }

  it('blocks of positions with the counts carried between them equal one block of all positions', async () => {
    const args = quantisedArgs(77, { numSteps: 6, batch: 3, positions: 10, hidden: 90 }, true);
    const whole = await gpuTokenRecurrent(args);
    for (const blocks of [
      [[0, 4], [4, 10]],
      [[0, 1], [1, 2], [2, 7], [7, 10]],
    ] as [number, number][][]) {
      const split = await gpuTokenRecurrent(args, blocks);
      expectExact(split.spikes, whole.spikes);
      expectExact(split.membrane, whole.membrane);
      expectExact(split.carry, whole.carry);
    }
    // The reference carries the same way.
    const first = tokenRecurrentReference({ ...args, positions: 10 });
    expectExact(first.carry, whole.carry);
  });

  it('a sample gives the same spikes alone as in a batch of other lengths: nothing leaks across samples', async () => {
    const args = quantisedArgs(91, { numSteps: 5, batch: 3, positions: 8, hidden: 40 }, true);
    const batchRun = await gpuTokenRecurrent(args);
    const { numSteps, positions, hidden } = args;
    for (let b = 0; b < 3; b++) {
      const x = new Float32Array(numSteps * positions * hidden);
      for (let t = 0; t < numSteps; t++) x.set(args.x.subarray(((t * 3 + b) * positions) * hidden, ((t * 3 + b + 1) * positions) * hidden), t * positions * hidden);
      const alone = await gpuTokenRecurrent({ ...args, batch: 1, x, validPositions: Uint32Array.of(args.validPositions[b]) });
      for (let t = 0; t < numSteps; t++) {
        const fromBatch = batchRun.spikes.subarray(((t * 3 + b) * positions) * hidden, ((t * 3 + b + 1) * positions) * hidden);
        expectExact(alone.spikes.subarray(t * positions * hidden, (t + 1) * positions * hidden), fromBatch);
      }
    }
  });

  it('a static input broadcast to every step equals the same input repeated', async () => {
    const shape = { numSteps: 5, batch: 2, positions: 4, hidden: 70 };
    const oneStep = quantisedArgs(5, { ...shape, numSteps: 1 }, false);
    const repeated = new Float32Array(5 * oneStep.x.length);
    for (let t = 0; t < 5; t++) repeated.set(oneStep.x, t * oneStep.x.length);
    const broadcast = await gpuTokenRecurrent({ ...oneStep, ...shape, xBroadcast: true });
    const full = await gpuTokenRecurrent({ ...oneStep, ...shape, x: repeated });
    expectExact(broadcast.spikes, full.spikes);
    expectExact(broadcast.spikes, tokenRecurrentReference({ ...oneStep, ...shape, x: repeated }).spikes);
  });

  for (const [name, neuron] of [
    ['IF soft', { model: 'IF', levels: 2 }],
    ['LIF hard, per-unit thresholds', { model: 'LIF', reset: 'hard', beta: 0.9, vInitFraction: 0, vThreshold: new TestRandom(3).floats(100, 0.5, 1.5) }],
  ] as [string, Partial<NeuronParams>][]) {
    it(`${name}, float inputs: same spike trains`, async () => {
      const random = new TestRandom(11);
      const shape = { numSteps: 10, batch: 2, positions: 6, hidden: 100 };
      const args: TokenRecurrentArgs = {
        ...shape,
        params: bif(100, 2, neuron),
        x: random.floats(10 * 2 * 6 * 100, -0.2, 0.7),
        recurrentWeights: random.floats(100 * 100, -0.05, 0.05),
        validPositions: Uint32Array.of(6, 4),
        recordMembrane: true,
      };
      const reference = tokenRecurrentReference(args);
      const gpu = await gpuTokenRecurrent(args);
      expectSpikeTrainsAgree(gpu.spikes, reference.spikes, reference.membrane!, 10, 2 * 6 * 100, (i) => thresholdOf(args.params, i % 100));
      expect(reference.spikes.some((s) => s === 1)).toBe(true);
    });
  }

  for (const [name, activation] of [
    ['quant, step 1, 4 levels', { kind: 'quant', step: 1, levels: 4 }],
    ['quant, step 1/4, 8 levels', { kind: 'quant', step: 0.25, levels: 8 }],
  ] as [string, AnnActivation][]) {
    it(`ANN twin, ${name}: exactly the reference`, async () => {
      const args = { ...quantisedArgs(17, { numSteps: 1, batch: 3, positions: 9, hidden: 75 }, true), activation };
      const reference = tokenRecurrentReference(args);
      const gpu = await gpuTokenRecurrent(args);
      expectExact(gpu.spikes, reference.spikes);
      expectExact(gpu.membrane, reference.membrane!);
      expectExact(gpu.carry, reference.carry);
      expect(new Set(reference.spikes).size).toBeGreaterThan(2);
    });
  }

  it('ANN twin, relu on float inputs: close to the reference', async () => {
    const random = new TestRandom(19);
    const args: TokenRecurrentArgs = {
      numSteps: 1,
      batch: 2,
      positions: 12,
      hidden: 64,
      params: bif(64, 2),
      x: random.floats(2 * 12 * 64, -1, 1),
      recurrentWeights: random.floats(64 * 64, -0.15, 0.15),
      validPositions: Uint32Array.of(12, 7),
      activation: { kind: 'relu' },
    };
    const gpu = await gpuTokenRecurrent(args);
    expectClose(gpu.spikes, tokenRecurrentReference(args).spikes, 1e-4, 1e-5);
  });

  it('the reference: position p gets U·c_{p−1} at the first step of its own window', () => {
    // One BIF unit feeding itself with weight −1 (θ = 1, v0 = ½, 4 levels), input 2.3 at every position's first step.
    const args: TokenRecurrentArgs = {
      numSteps: 4,
      batch: 1,
      positions: 3,
      hidden: 1,
      params: bif(1, 4),
      x: Float32Array.from([2.3, 2.3, 2.3, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      recurrentWeights: Float32Array.of(-1),
      validPositions: Uint32Array.of(3),
      recordMembrane: true,
    };
    const result = tokenRecurrentReference(args);
    // p0: h = 2.8 → 2 spikes (c = 2); p1: 2.3 − 2 + ½ = 0.8 → none (c = 0); p2: 2.8 again → 2 spikes.
    expect([...countsOf(result.spikes, 4)]).toEqual([2, 0, 2]);
    expect(result.membrane![1]).toBeCloseTo(0.8, 6);
    expect([...result.carry]).toEqual([2]);
  });
});

describe('lossless: token-recurrent BIF counts equal the quantised ANN twin (architecture §2.4)', () => {
  it('float currents presented once, dyadic U: every count equals the twin integer, on the GPU and the reference', async () => {
    const random = new TestRandom(2025);
    const shape = { batch: 4, positions: 11, hidden: 96 };
    const levels = 4;
    const perStep = shape.batch * shape.positions * shape.hidden;
    const analog = random.floats(perStep, -1.5, 3.5);
    // U on a grid of 2^-10: every partial sum of U·c (c ≤ 3) is exact, whatever the order of the additions.
    const recurrentWeights = random.floats(shape.hidden * shape.hidden, -0.12, 0.12).map((w) => Math.round(w * 1024) / 1024);
    const validPositions = Uint32Array.of(11, 6, 1, 9);
    const twinArgs: TokenRecurrentArgs = { ...shape, numSteps: 1, params: bif(shape.hidden, levels), x: analog, recurrentWeights, validPositions, activation: { kind: 'quant', step: 1, levels } };
    const twin = await gpuTokenRecurrent(twinArgs);
    expectExact(twin.spikes, tokenRecurrentReference(twinArgs).spikes);
    for (const numSteps of [levels - 1, 8]) {
      const x = new Float32Array(numSteps * perStep);
      x.set(analog);
      const snnArgs: TokenRecurrentArgs = { ...shape, numSteps, params: bif(shape.hidden, levels), x, recurrentWeights, validPositions };
      const gpu = await gpuTokenRecurrent(snnArgs);
      expectExact(countsOf(gpu.spikes, numSteps), twin.spikes);
      expectExact(countsOf(tokenRecurrentReference(snnArgs).spikes, numSteps), twin.spikes);
      expectExact(gpu.carry, twin.carry);
    }
    // Every level is used, and the recurrence changes the levels.
    for (const level of [0, 1, 2, 3]) expect(twin.spikes.includes(level)).toBe(true);
    const feedForward = tokenRecurrentReference({ ...twinArgs, recurrentWeights: new Float32Array(shape.hidden ** 2) });
    expect(feedForward.spikes.some((y, i) => y !== twin.spikes[i])).toBe(true);
  });
});
