import { describe, expect, it } from 'vitest';
import type { AnnActivation } from '../../model/spec';
import { neuronMultiStep, thresholdOf, type NeuronParams } from '../../reference/neuron';
import { recurrentReference, type RecurrentArgs } from '../../reference/recurrent';
import { expectClose, expectExact, expectSpikeTrainsAgree } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { BufferArena } from '../arena';
import { GpuLimitError } from '../errors';
import { createNeuronLayerBuffers } from './neuron';
import { MAX_RECURRENT_HIDDEN, recordRecurrent } from './recurrent';

function params(hidden: number, overrides: Partial<NeuronParams>): NeuronParams {
  return { model: 'IF', reset: 'soft', vThreshold: new Float32Array([1]), channels: hidden, beta: 0.9, vReset: 0, vInitFraction: 0, levels: 8, ...overrides };
}

/** Runs the GPU recurrent kernel over the given step ranges (default: one dispatch of all steps). */
async function gpuRecurrent(args: RecurrentArgs, ranges: [number, number][] = [[0, args.numSteps]]) {
  const ctx = await testGpu();
  const { numSteps, batch, hidden } = args;
  const bytes = numSteps * batch * hidden * 4;
  const [spikes, membrane, v, count] = await runOnGpu(ctx, (pass, arena) => {
    const inputCurrent = arena.storage('inputCurrent', args.inputCurrent);
    const recurrentWeights = arena.storage('recurrentWeights', args.recurrentWeights);
    const spikesBuffer = arena.scratch('spikes', bytes);
    const membraneBuffer = arena.scratch('membrane', bytes);
    const layer = createNeuronLayerBuffers(arena, args.params, batch * hidden, 'recurrent');
    for (const [tStart, tCount] of ranges) {
      recordRecurrent(ctx, pass, arena, {
        ...args,
        tStart,
        tCount,
        inputCurrent,
        recurrentWeights,
        spikes: spikesBuffer,
        layer,
        membrane: membraneBuffer,
      });
    }
    return [
      { buffer: spikesBuffer, byteLength: bytes },
      { buffer: membraneBuffer, byteLength: bytes },
      { buffer: layer.stateV, byteLength: batch * hidden * 4 },
      { buffer: layer.stateCount, byteLength: batch * hidden * 4 },
    ];
  });
  return { spikes, membrane, v, count };
}

/** BIF layer on multiples of 2^-6 (inputs, weights, thresholds), where float32 sums are exact. */
function quantisedBifArgs(seed: number, numSteps: number, batch: number, hidden: number): RecurrentArgs {
  const random = new TestRandom(seed);
  const vThreshold = random.quantised(hidden, 16, 64, 1 / 64);
  return {
    numSteps,
    batch,
    hidden,
    params: params(hidden, { model: 'BIF', vThreshold, vInitFraction: 0.5, levels: 8 }),
    inputCurrent: random.quantised(numSteps * batch * hidden, -48, 96, 1 / 64),
    recurrentWeights: random.quantised(hidden * hidden, -24, 24, 1 / 64),
    recordMembrane: true,
  };
}

function floatArgs(seed: number, numSteps: number, batch: number, hidden: number, neuron: Partial<NeuronParams>): RecurrentArgs {
  const random = new TestRandom(seed);
  const scale = 0.5 / Math.sqrt(hidden);
  return {
    numSteps,
    batch,
    hidden,
    params: params(hidden, neuron),
    inputCurrent: random.floats(numSteps * batch * hidden, -0.3, numSteps === 1 ? 1.6 : 0.9),
    recurrentWeights: random.floats(hidden * hidden, -scale, scale),
    recordMembrane: true,
  };
}

describe('recurrent kernel (shaders/recurrent.wgsl) against the reference', () => {
  for (const [numSteps, batch, hidden] of [
    [16, 3, 150],
    [50, 2, 67],
    [1, 4, 33],
    [5, 1, 1],
  ]) {
    it(`BIF, quantised, T = ${numSteps}, batch ${batch}, hidden ${hidden}: exact count for count`, async () => {
      const args = quantisedBifArgs(numSteps * 100 + hidden, numSteps, batch, hidden);
      const reference = recurrentReference(args);
      const gpu = await gpuRecurrent(args);
      expectExact(gpu.spikes, reference.spikes);
      expectExact(gpu.membrane, reference.membrane!);
      expectExact(gpu.count, reference.state.count);
      expectExact(gpu.v, reference.state.v);
      expect(reference.state.count.every((count) => count >= 0 && count <= 7)).toBe(true);
      if (numSteps > 1 && hidden > 1) {
        expect(reference.spikes.some((s) => s === -1)).toBe(true);
        // The recurrence matters: without U the same inputs give other spikes.
        const feedForward = neuronMultiStep(args.params, args.inputCurrent, numSteps, batch * hidden);
        expect(feedForward.spikes.some((s, i) => s !== reference.spikes[i])).toBe(true);
      }
    });
  }

  for (const [name, numSteps, batch, hidden, neuron] of [
    ['IF soft', 50, 2, 67, {}],
    ['IF hard reset to -0.25', 20, 3, 130, { reset: 'hard', vReset: -0.25 }],
    ['LIF soft, per-unit thresholds', 50, 4, 200, { model: 'LIF', beta: 0.95, vThreshold: new TestRandom(200).floats(200, 0.5, 1.5) }],
    ['LIF hard', 1, 5, 33, { model: 'LIF', reset: 'hard', beta: 0.8 }],
  ] as [string, number, number, number, Partial<NeuronParams>][]) {
    it(`${name}, T = ${numSteps}, batch ${batch}, hidden ${hidden}: same spike trains`, async () => {
      const args = floatArgs(numSteps * 7 + hidden, numSteps, batch, hidden, neuron);
      const reference = recurrentReference(args);
      const gpu = await gpuRecurrent(args);
      expectSpikeTrainsAgree(gpu.spikes, reference.spikes, reference.membrane!, numSteps, batch * hidden, (i) => thresholdOf(args.params, i));
      expect(reference.spikes.some((s) => s === 1)).toBe(true);
    });
  }

  it('one dispatch per step, or two ranges of steps, equal one dispatch of all steps', async () => {
    const args = quantisedBifArgs(5, 12, 3, 90);
    const fused = await gpuRecurrent(args);
    for (const ranges of [Array.from({ length: 12 }, (_, t): [number, number] => [t, 1]), [[0, 7], [7, 5]] as [number, number][]]) {
      const split = await gpuRecurrent(args, ranges);
      expectExact(split.spikes, fused.spikes);
      expectExact(split.membrane, fused.membrane);
      expectExact(split.count, fused.count);
      expectExact(split.v, fused.v);
    }
    const lif = floatArgs(6, 10, 2, 70, { model: 'LIF', beta: 0.9 });
    const lifFused = await gpuRecurrent(lif);
    const lifPerStep = await gpuRecurrent(lif, Array.from({ length: 10 }, (_, t): [number, number] => [t, 1]));
    expectExact(lifPerStep.spikes, lifFused.spikes);
    expectExact(lifPerStep.v, lifFused.v);
  });

  it(`hidden = ${MAX_RECURRENT_HIDDEN} (the largest supported) agrees exactly; one more is refused`, async () => {
    const args = quantisedBifArgs(13, 3, 2, MAX_RECURRENT_HIDDEN);
    args.recurrentWeights = new TestRandom(14).quantised(MAX_RECURRENT_HIDDEN ** 2, -2, 2, 1 / 64);
    const reference = recurrentReference(args);
    const gpu = await gpuRecurrent(args);
    expectExact(gpu.spikes, reference.spikes);
    expectExact(gpu.count, reference.state.count);

    const ctx = await testGpu();
    const arena = new BufferArena(ctx.device, 'recurrent.tooLarge');
    const pass = ctx.device.createCommandEncoder({ label: 'recurrent.tooLarge' }).beginComputePass();
    const dummy = arena.scratch('dummy', 16);
    const hidden = MAX_RECURRENT_HIDDEN + 1;
    const layer = { vThreshold: dummy, beta: dummy, stateV: dummy, stateCount: dummy };
    const tooLarge = { numSteps: 1, tStart: 0, tCount: 1, batch: 1, hidden, params: params(hidden, {}), inputCurrent: dummy, recurrentWeights: dummy, spikes: dummy, layer };
    expect(() => recordRecurrent(ctx, pass, arena, tooLarge)).toThrow(GpuLimitError);
    pass.end();
    arena.destroy();
  });

  for (const [name, activation] of [
    ['quant, step 1/8', { kind: 'quant', step: 1 / 8, levels: 8 }],
    ['quant, step 1/4', { kind: 'quant', step: 0.25, levels: 16 }],
  ] as [string, AnnActivation][]) {
    it(`ANN twin, ${name}, quantised weights: exactly the reference`, async () => {
      const args = { ...quantisedBifArgs(17, 20, 3, 75), activation };
      const reference = recurrentReference(args);
      const gpu = await gpuRecurrent(args);
      expectExact(gpu.spikes, reference.spikes);
      expectExact(gpu.membrane, reference.membrane!);
      expect(new Set(reference.spikes).size).toBeGreaterThan(2);
    });
  }

  it('ANN twin, relu on float inputs: close to the reference', async () => {
    const args = { ...floatArgs(19, 50, 2, 100, {}), activation: { kind: 'relu' } as AnnActivation };
    const reference = recurrentReference(args);
    const gpu = await gpuRecurrent(args);
    expectClose(gpu.spikes, reference.spikes, 1e-4, 1e-5);
    expect(reference.spikes.some((y) => y > 0) && reference.spikes.some((y) => y === 0)).toBe(true);
  });

  it('the reference is x_t = in_t + U·s_{t-1} followed by the neuron step', () => {
    // One unit feeding itself with weight -0.5: IF, threshold 1, soft reset.
    const args: RecurrentArgs = {
      numSteps: 3,
      batch: 1,
      hidden: 1,
      params: params(1, {}),
      inputCurrent: new Float32Array([1, 1, 1]),
      recurrentWeights: new Float32Array([-0.5]),
      recordMembrane: true,
    };
    const result = recurrentReference(args);
    // t0: h = 1 -> spike, v = 0; t1: x = 1 - 0.5, h = 0.5 -> no spike; t2: x = 1, h = 1.5 -> spike, v = 0.5
    expect([...result.membrane!]).toEqual([1, 0.5, 1.5]);
    expect([...result.spikes]).toEqual([1, 0, 1]);
    expect([...result.state.v]).toEqual([0.5]);
  });
});
