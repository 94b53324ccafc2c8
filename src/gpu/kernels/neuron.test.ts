import { describe, expect, it } from 'vitest';
import { initialNeuronState, neuronMultiStep, thresholdOf, type NeuronParams } from '../../reference/neuron';
import { expectExact, expectSpikeTrainsAgree } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { createNeuronLayerBuffers, recordNeuron } from './neuron';

function params(overrides: Partial<NeuronParams>): NeuronParams {
  return {
    model: 'IF',
    reset: 'soft',
    vThreshold: new Float32Array([1]),
    channels: 1,
    beta: 0.9,
    vReset: 0,
    vInitFraction: 0,
    levels: 8,
    ...overrides,
  };
}

/** Runs the GPU neuron kernel, multi-step (one dispatch) or per-step (one dispatch per step). */
async function gpuNeuron(p: NeuronParams, x: Float32Array, numSteps: number, neurons: number, perStep: boolean) {
  const ctx = await testGpu();
  const [spikes, membrane, v, count] = await runOnGpu(ctx, (pass, arena) => {
    const xBuffer = arena.storage('x', x);
    const spikesBuffer = arena.scratch('spikes', x.byteLength);
    const membraneBuffer = arena.scratch('membrane', x.byteLength);
    const layer = createNeuronLayerBuffers(arena, p, neurons, 'layer');
    const ranges = perStep ? Array.from({ length: numSteps }, (_, t) => [t, 1]) : [[0, numSteps]];
    for (const [tStart, tCount] of ranges) {
      recordNeuron(ctx, pass, arena, { params: p, neurons, tStart, tCount, x: xBuffer, spikes: spikesBuffer, layer, membrane: membraneBuffer });
    }
    return [
      { buffer: spikesBuffer, byteLength: x.byteLength },
      { buffer: membraneBuffer, byteLength: x.byteLength },
      { buffer: layer.stateV, byteLength: neurons * 4 },
      { buffer: layer.stateCount, byteLength: neurons * 4 },
    ];
  });
  return { spikes, membrane, v, count };
}

const cases: { name: string; params: Partial<NeuronParams>; numSteps: number; neurons: number; channels?: number }[] = [
  { name: 'IF soft, T = 50, odd size', params: {}, numSteps: 50, neurons: 1001 },
  { name: 'IF soft, T = 1', params: {}, numSteps: 1, neurons: 333 },
  { name: 'IF hard reset to -0.25', params: { reset: 'hard', vReset: -0.25 }, numSteps: 16, neurons: 517 },
  { name: 'IF without reset', params: { reset: 'none' }, numSteps: 8, neurons: 64 },
  { name: 'LIF soft, per-channel thresholds', params: { model: 'LIF', beta: 0.95 }, numSteps: 50, neurons: 3 * 7 * 30, channels: 30 },
  { name: 'LIF hard, T = 1', params: { model: 'LIF', reset: 'hard', beta: 0.8 }, numSteps: 1, neurons: 129 },
  { name: 'PLIF soft, per-channel leaks and thresholds', params: { model: 'PLIF', betas: Float32Array.from({ length: 12 }, (_, c) => 0.6 + 0.03 * c) }, numSteps: 24, neurons: 5 * 12 * 9, channels: 12 },
  { name: 'PLIF without reset, one leak', params: { model: 'PLIF', reset: 'none', beta: 0.7 }, numSteps: 10, neurons: 257 },
];

describe('neuron kernel (shaders/neuron.wgsl) against the reference', () => {
  for (const c of cases) {
    it(`${c.name}: same spikes, membrane and final state`, async () => {
      const random = new TestRandom(c.neurons * 31 + c.numSteps);
      const channels = c.channels ?? 1;
      const vThreshold = channels > 1 ? random.floats(channels, 0.5, 1.5) : new Float32Array([1]);
      const p = params({ ...c.params, vThreshold, channels });
      const x = random.floats(c.numSteps * c.neurons, -0.3, c.numSteps === 1 ? 1.6 : 0.9);
      const reference = neuronMultiStep(p, x, c.numSteps, c.neurons, undefined, true);
      const gpu = await gpuNeuron(p, x, c.numSteps, c.neurons, false);
      expectSpikeTrainsAgree(gpu.spikes, reference.spikes, reference.membrane!, c.numSteps, c.neurons, (i) => thresholdOf(p, i));
      expect(reference.spikes.some((s) => s === 1)).toBe(true);
    });
  }

  it('IF on inputs in multiples of 2^-8 agrees exactly, spikes, membrane and state', async () => {
    const random = new TestRandom(7);
    const numSteps = 50;
    const neurons = 257;
    const p = params({ vThreshold: new Float32Array([0.75]) });
    const x = random.quantised(numSteps * neurons, -64, 200, 1 / 256);
    const reference = neuronMultiStep(p, x, numSteps, neurons, undefined, true);
    const gpu = await gpuNeuron(p, x, numSteps, neurons, false);
    expectExact(gpu.spikes, reference.spikes);
    expectExact(gpu.membrane, reference.membrane!);
    expectExact(gpu.v, reference.state.v);
  });

  it('BIF with quantised inputs agrees exactly, count for count, and stays within [0, levels - 1]', async () => {
    const random = new TestRandom(11);
    const numSteps = 16;
    const neurons = 3 * 5 * 11;
    const channels = 11;
    const vThreshold = random.quantised(channels, 16, 64, 1 / 64);
    const p = params({ model: 'BIF', vThreshold, channels, vInitFraction: 0.5, levels: 8 });
    const x = random.quantised(numSteps * neurons, -96, 160, 1 / 64);
    const reference = neuronMultiStep(p, x, numSteps, neurons, undefined, true);
    const gpu = await gpuNeuron(p, x, numSteps, neurons, false);
    expectExact(gpu.spikes, reference.spikes);
    expectExact(gpu.count, reference.state.count);
    expect(reference.spikes.some((s) => s === -1)).toBe(true);
    expect(Math.max(...reference.state.count)).toBeLessThanOrEqual(7);
    expect(Math.min(...reference.state.count)).toBeGreaterThanOrEqual(0);
  });

  it('one dispatch per step gives the same result as the multi-step dispatch', async () => {
    const random = new TestRandom(3);
    const numSteps = 12;
    const neurons = 200;
    const p = params({ model: 'LIF', beta: 0.9 });
    const x = random.quantised(numSteps * neurons, -32, 128, 1 / 128);
    const fused = await gpuNeuron(p, x, numSteps, neurons, false);
    const perStep = await gpuNeuron(p, x, numSteps, neurons, true);
    expectExact(perStep.spikes, fused.spikes);
    expectExact(perStep.v, fused.v);
  });

  it('a static input (one step of x read at every step) equals the same x repeated over the steps', async () => {
    const random = new TestRandom(13);
    const numSteps = 9;
    const neurons = 150;
    const p = params({ model: 'LIF', beta: 0.9 });
    const step = random.quantised(neurons, -16, 64, 1 / 64);
    const repeated = new Float32Array(numSteps * neurons);
    for (let t = 0; t < numSteps; t++) repeated.set(step, t * neurons);
    const expected = neuronMultiStep(p, repeated, numSteps, neurons);
    const reference = neuronMultiStep(p, step, numSteps, neurons, undefined, false, true);
    expectExact(reference.spikes, expected.spikes);
    const ctx = await testGpu();
    const [spikes] = await runOnGpu(ctx, (pass, arena) => {
      const x = arena.storage('x', step);
      const out = arena.scratch('spikes', repeated.byteLength);
      const layer = createNeuronLayerBuffers(arena, p, neurons, 'static');
      recordNeuron(ctx, pass, arena, { params: p, neurons, tStart: 0, tCount: numSteps, x, spikes: out, layer, xBroadcast: true });
      return [{ buffer: out, byteLength: repeated.byteLength }];
    });
    expectExact(spikes, expected.spikes);
    expect(expected.spikes.some((s) => s === 1)).toBe(true);
  });

  it('initial state is v = vInitFraction * threshold of the channel', () => {
    const p = params({ vThreshold: new Float32Array([2, 4]), channels: 2, vInitFraction: 0.5 });
    expect([...initialNeuronState(p, 4).v]).toEqual([1, 2, 1, 2]);
  });
});
