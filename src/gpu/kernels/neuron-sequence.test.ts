import { describe, expect, it } from 'vitest';
import { initialNeuronState, neuronMultiStep, thresholdOf, type NeuronParams, type NeuronSequence } from '../../reference/neuron';
import { neuronBackwardReference, type Surrogate } from '../../reference/neuron-backward';
import { expectClose, expectExact, expectSpikeTrainsAgree } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { createNeuronLayerBuffers, recordNeuron } from './neuron';
import { recordNeuronBackward } from './neuron-backward';

/**
 * Neurons over the positions (architecture §2.5): one neuron per (sample, channel) runs through the
 * positions of its sample in order, all T steps of each, its membrane carried from one to the next.
 */

const params = (overrides: Partial<NeuronParams>): NeuronParams => ({
  model: 'PLIF', reset: 'soft', vThreshold: new Float32Array([1]), channels: 1, beta: 0.95, vReset: 0, vInitFraction: 0, levels: 2, ...overrides,
});

/** `[T][B][P][C]` → one lane per (b, c) over steps τ = p·T + t: `[P·T][B·C]`, for the plain neuron step. */
function asLanes(x: Float32Array, T: number, B: number, P: number, C: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) {
    out[(p * T + t) * B * C + b * C + c] = x[((t * B + b) * P + p) * C + c];
  }
  return out;
}

/** A case: T steps, B samples of P positions, C channels, per-channel β and θ. */
function makeCase(seed: number, T: number, B: number, P: number, C: number, model: NeuronParams['model'] = 'PLIF') {
  const random = new TestRandom(seed);
  const vThreshold = random.floats(C, 0.6, 1.4);
  const betas = random.floats(C, 0.7, 1);
  const p = params({ model, channels: C, vThreshold, betas, vInitFraction: 0.25 });
  const x = random.floats(T * B * P * C, -0.4, 0.8);
  return { p, x, random };
}

async function gpuSequence(p: NeuronParams, x: Float32Array, T: number, sequence: NeuronSequence, chunks: [number, number][]) {
  const { batch: B, positions: P } = sequence;
  const C = p.channels;
  const ctx = await testGpu();
  return runOnGpu(ctx, (pass, arena) => {
    const layer = createNeuronLayerBuffers(arena, p, B * C, 'sequence');
    const spikes: GPUBuffer[] = [];
    const membranes: GPUBuffer[] = [];
    chunks.forEach(([start, end], k) => {
      // The chunk's own tensors, `[T][B][end − start][C]`, as the executor lays them out.
      const Q = end - start;
      const part = new Float32Array(T * B * Q * C);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) part.set(x.subarray(((t * B + b) * P + start) * C, ((t * B + b) * P + end) * C), ((t * B + b) * Q) * C);
      const valid = Uint32Array.from(sequence.validPositions, (v) => Math.max(0, Math.min(Q, v - start)));
      spikes.push(arena.scratch(`spikes${k}`, part.byteLength));
      membranes.push(arena.scratch(`membrane${k}`, part.byteLength));
      recordNeuron(ctx, pass, arena, {
        params: p, neurons: B * Q * C, tStart: 0, tCount: T, x: arena.storage(`x${k}`, part), spikes: spikes[k], layer, membrane: membranes[k],
        sequence: { batch: B, positions: Q, validPositions: arena.storage(`valid${k}`, valid), continues: k > 0 },
      });
    });
    return [
      ...chunks.flatMap(([start, end], k) => [{ buffer: spikes[k], byteLength: T * B * (end - start) * C * 4 }, { buffer: membranes[k], byteLength: T * B * (end - start) * C * 4 }]),
      { buffer: layer.stateV, byteLength: B * C * 4 },
    ];
  });
}

/** Chunks `[T][B][Q][C]` put back into `[T][B][P][C]`. */
function joinChunks(parts: Float32Array[], chunks: [number, number][], T: number, B: number, P: number, C: number): Float32Array {
  const out = new Float32Array(T * B * P * C);
  chunks.forEach(([start, end], k) => {
    const Q = end - start;
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(parts[k].subarray(((t * B + b) * Q) * C, ((t * B + b) * Q + Q) * C), ((t * B + b) * P + start) * C);
  });
  return out;
}

describe('neurons over the positions (sequence): reference', () => {
  it('equals the plain neuron step run over each lane\'s positions one after another', () => {
    const [T, B, P, C] = [3, 2, 5, 4];
    const { p, x } = makeCase(1, T, B, P, C);
    const sequence = { batch: B, positions: P, validPositions: Uint32Array.of(P, P) };
    const run = neuronMultiStep(p, x, T, B * P * C, undefined, true, false, sequence);
    const plain = neuronMultiStep(p, asLanes(x, T, B, P, C), P * T, B * C, undefined, true);
    expectExact(asLanes(run.spikes, T, B, P, C), plain.spikes);
    expectExact(asLanes(run.membrane!, T, B, P, C), plain.membrane!);
    expectExact(run.state.v, plain.state.v);
    expect(run.spikes.some((s) => s === 1)).toBe(true);
  });

  it('positions past a sample\'s valid ones are silent and leave its state as it was', () => {
    const [T, B, P, C] = [4, 3, 6, 2];
    const { p, x } = makeCase(2, T, B, P, C);
    const valid = Uint32Array.of(6, 2, 0);
    const run = neuronMultiStep(p, x, T, B * P * C, undefined, true, false, { batch: B, positions: P, validPositions: valid });
    const full = neuronMultiStep(p, x, T, B * P * C, undefined, true, false, { batch: B, positions: P, validPositions: Uint32Array.of(P, P, P) });
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let q = 0; q < P; q++) for (let c = 0; c < C; c++) {
      const i = ((t * B + b) * P + q) * C + c;
      expect(run.spikes[i]).toBe(q < valid[b] ? full.spikes[i] : 0);
      expect(run.membrane![i]).toBe(q < valid[b] ? full.membrane![i] : 0);
    }
    // The second sample's state is the one after its two positions.
    const two = neuronMultiStep(p, x, T, B * P * C, undefined, false, false, { batch: B, positions: P, validPositions: Uint32Array.of(2, 2, 2) });
    expectExact(run.state.v.subarray(C, 2 * C), two.state.v.subarray(C, 2 * C));
    expectExact(run.state.v.subarray(2 * C), initialNeuronState(p, C).v);
  });
});

describe('neurons over the positions (sequence): GPU kernel against the reference', () => {
  for (const c of [
    { name: 'PLIF, per-channel β and θ, ragged samples', model: 'PLIF' as const, T: 4, B: 3, P: 9, C: 21, valid: [9, 4, 0] },
    { name: 'IF, one sample of 40 positions', model: 'IF' as const, T: 2, B: 1, P: 40, C: 7, valid: [40] },
  ]) {
    it(`${c.name}: same spikes, membrane and state, whole or in chunks that carry the state`, async () => {
      const { p, x } = makeCase(c.P + c.C, c.T, c.B, c.P, c.C, c.model);
      const sequence = { batch: c.B, positions: c.P, validPositions: Uint32Array.from(c.valid) };
      const reference = neuronMultiStep(p, x, c.T, c.B * c.P * c.C, undefined, true, false, sequence);
      expect(reference.spikes.some((s) => s === 1)).toBe(true);
      for (const chunks of [[[0, c.P]], [[0, 3], [3, 5], [5, c.P]]] as [number, number][][]) {
        const out = await gpuSequence(p, x, c.T, sequence, chunks);
        const spikes = joinChunks(out.filter((_, i) => i < 2 * chunks.length && i % 2 === 0), chunks, c.T, c.B, c.P, c.C);
        const membrane = joinChunks(out.filter((_, i) => i < 2 * chunks.length && i % 2 === 1), chunks, c.T, c.B, c.P, c.C);
        // Compared lane by lane over the lane's steps, where a spike may diverge only at a near-tie.
        const laneThreshold = (lane: number) => thresholdOf(p, lane % c.C);
        expectSpikeTrainsAgree(asLanes(spikes, c.T, c.B, c.P, c.C), asLanes(reference.spikes, c.T, c.B, c.P, c.C), asLanes(reference.membrane!, c.T, c.B, c.P, c.C), c.P * c.T, c.B * c.C, laneThreshold);
        expectClose(membrane, reference.membrane!, 1e-4, 1e-5);
        expectClose(out[out.length - 1], reference.state.v, 1e-4, 1e-5);
      }
    });
  }
});

describe('neurons over the positions (sequence): BPTT', () => {
  const surrogate: Surrogate = { kind: 'piecewise-linear' };

  it('the reference equals BPTT of the plain step over each lane\'s positions, learned β and θ included', () => {
    const [T, B, P, C] = [3, 2, 4, 5];
    const { p, x, random } = makeCase(5, T, B, P, C);
    const sequence = { batch: B, positions: P, validPositions: Uint32Array.of(P, P) };
    const run = neuronMultiStep(p, x, T, B * P * C, undefined, true, false, sequence);
    const grad = random.floats(x.length, -1, 1);
    const backward = neuronBackwardReference(p, run.membrane!, grad, T, B * P * C, surrogate, false, run.spikes, sequence);
    const plainRun = neuronMultiStep(p, asLanes(x, T, B, P, C), P * T, B * C, undefined, true);
    const plain = neuronBackwardReference(p, plainRun.membrane!, asLanes(grad, T, B, P, C), P * T, B * C, surrogate, false, plainRun.spikes);
    expectExact(asLanes(backward.gradInput, T, B, P, C), plain.gradInput);
    expectExact(backward.gradBeta!, plain.gradBeta!);
    expectExact(backward.gradThreshold!, plain.gradThreshold!);
    expect(backward.gradBeta!.some((g) => g !== 0)).toBe(true);
  });

  for (const detach of [false, true]) {
    it(`the GPU kernel equals the reference (ragged samples, ${detach ? 'detached' : 'through the'} reset)`, async () => {
      const [T, B, P, C] = [4, 3, 7, 9];
      const { p, x, random } = makeCase(7 + Number(detach), T, B, P, C);
      const valid = Uint32Array.of(7, 3, 0);
      const sequence = { batch: B, positions: P, validPositions: valid };
      const run = neuronMultiStep(p, x, T, B * P * C, undefined, true, false, sequence);
      const grad = random.floats(x.length, -1, 1);
      const reference = neuronBackwardReference(p, run.membrane!, grad, T, B * P * C, surrogate, detach, run.spikes, sequence);
      const ctx = await testGpu();
      const [gradX, gradBeta, gradThreshold] = await runOnGpu(ctx, (pass, arena) => {
        const out = { gradX: arena.scratch('gradX', x.byteLength), gradBeta: arena.scratch('gradBeta', B * C * 4), gradThreshold: arena.scratch('gradThreshold', B * C * 4) };
        recordNeuronBackward(ctx, pass, arena, {
          params: p, neurons: B * P * C, numSteps: T, surrogate, detachReset: detach,
          membrane: arena.storage('membrane', run.membrane!), gradSpikes: arena.storage('grad', grad),
          vThreshold: arena.storage('vThreshold', p.vThreshold), beta: arena.storage('beta', p.betas!), gradX: out.gradX,
          learned: { gradBeta: out.gradBeta, gradThreshold: out.gradThreshold },
          sequence: { batch: B, positions: P, validPositions: arena.storage('valid', valid) },
        });
        return [{ buffer: out.gradX, byteLength: x.byteLength }, { buffer: out.gradBeta, byteLength: B * C * 4 }, { buffer: out.gradThreshold, byteLength: B * C * 4 }];
      });
      expectClose(gradX, reference.gradInput, 1e-4, 1e-6);
      expectClose(gradBeta, reference.gradBeta!, 1e-4, 1e-5);
      expectClose(gradThreshold, reference.gradThreshold!, 1e-4, 1e-5);
      // Silent positions get no gradient; a sample with none gets none at all.
      for (let t = 0; t < T; t++) for (let q = 3; q < P; q++) expect(gradX[((t * B + 1) * P + q) * C]).toBe(0);
      expect(Array.from(gradBeta.subarray(2 * C)).every((g) => g === 0)).toBe(true);
    });
  }
});
