import { describe, expect, it } from 'vitest';
import { neuronMultiStep, type NeuronParams } from '../../reference/neuron';
import { DEFAULT_SURROGATE, neuronBackwardReference, surrogateDerivative, type Surrogate } from '../../reference/neuron-backward';
import { expectClose } from '../../test-support/compare';
import { expectGradientsMatch, finiteDifferences } from '../../test-support/gradcheck';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { recordNeuronBackward } from './neuron-backward';

const params = (overrides: Partial<NeuronParams>): NeuronParams => ({
  model: 'IF', reset: 'soft', vThreshold: new Float32Array([1]), channels: 1, beta: 1, vReset: 0, vInitFraction: 0, levels: 2, ...overrides,
});

/**
 * The surrogate network: the same recurrence with the spike replaced by S(u) = u / (1 + k·|u|),
 * whose derivative is the fast sigmoid σ(u) = 1 / (1 + k·|u|)², so finite differences check BPTT.
 */
function smoothForward(p: NeuronParams, x: Float32Array, numSteps: number, neurons: number, probe: Float32Array, slope: number): number {
  const beta = p.model === 'LIF' ? p.beta : 1;
  let loss = 0;
  for (let i = 0; i < neurons; i++) {
    let v = 0;
    for (let t = 0; t < numSteps; t++) {
      const h = beta * v + x[t * neurons + i];
      const u = h - p.vThreshold[0];
      const s = u / (1 + slope * Math.abs(u));
      loss += probe[t * neurons + i] * s;
      v = p.reset === 'soft' ? h - p.vThreshold[0] * s : h;
    }
  }
  return loss;
}

describe('neuron backward (BPTT with a surrogate spike derivative)', () => {
  it('the fast sigmoid has slope 1 at the threshold and falls as 1/(1 + 25|u|)^2', () => {
    expect(surrogateDerivative(0, 1, DEFAULT_SURROGATE)).toBe(1);
    expect(surrogateDerivative(0.2, 1, DEFAULT_SURROGATE)).toBeCloseTo(1 / 36, 6);
    expect(surrogateDerivative(0.5, 1, { kind: 'piecewise-linear' })).toBeCloseTo(0.15, 6);
    expect(surrogateDerivative(1.5, 1, { kind: 'piecewise-linear' })).toBe(0);
  });

  for (const model of ['IF', 'LIF'] as const) {
    it(`${model}: BPTT equals finite differences of the smooth surrogate network`, () => {
      const random = new TestRandom(model === 'IF' ? 1 : 2);
      const p = params({ model, beta: 0.9 });
      const [numSteps, neurons, slope] = [6, 3, 2];
      const x = random.floats(numSteps * neurons, -0.5, 1.2);
      const probe = random.floats(numSteps * neurons, -1, 1);
      // The smooth network's h, to evaluate σ at the same points as BPTT does.
      const membrane = new Float32Array(numSteps * neurons);
      for (let i = 0; i < neurons; i++) {
        let v = 0;
        for (let t = 0; t < numSteps; t++) {
          const h = (model === 'LIF' ? 0.9 : 1) * v + x[t * neurons + i];
          membrane[t * neurons + i] = h;
          const u = h - 1;
          v = h - u / (1 + slope * Math.abs(u));
        }
      }
      const analytic = neuronBackwardReference(p, membrane, probe, numSteps, neurons, { kind: 'fast-sigmoid', slope }, false);
      const all = Array.from({ length: numSteps * neurons }, (_, i) => i);
      expectGradientsMatch([...analytic.gradInput], finiteDifferences(() => smoothForward(p, x, numSteps, neurons, probe, slope), x, all, 1e-3), 5e-3, 1e-4);
    });
  }

  const cases: { name: string; p: Partial<NeuronParams>; surrogate: Surrogate; detach: boolean }[] = [
    { name: 'IF soft, fast sigmoid', p: {}, surrogate: DEFAULT_SURROGATE, detach: false },
    { name: 'LIF soft detached, piecewise linear, per-channel thresholds', p: { model: 'LIF', beta: 0.95, channels: 5, vThreshold: Float32Array.from([0.5, 1, 1.5, 0.8, 1.2]) }, surrogate: { kind: 'piecewise-linear' }, detach: true },
    { name: 'IF without reset', p: { reset: 'none' }, surrogate: DEFAULT_SURROGATE, detach: false },
  ];
  for (const c of cases) {
    it(`GPU kernel equals the reference: ${c.name}`, async () => {
      const random = new TestRandom(9);
      const p = params(c.p);
      const [numSteps, neurons] = [16, 5 * 37];
      const x = random.floats(numSteps * neurons, -0.3, 0.8);
      const { membrane } = neuronMultiStep(p, x, numSteps, neurons, undefined, true);
      const gradSpikes = random.floats(numSteps * neurons, -1, 1);
      const reference = neuronBackwardReference(p, membrane!, gradSpikes, numSteps, neurons, c.surrogate, c.detach);
      const ctx = await testGpu();
      const [gpu] = await runOnGpu(ctx, (pass, arena) => {
        const gradX = arena.scratch('gradX', x.byteLength);
        recordNeuronBackward(ctx, pass, arena, {
          params: p, neurons, numSteps, surrogate: c.surrogate, detachReset: c.detach,
          membrane: arena.storage('membrane', membrane!), gradSpikes: arena.storage('gradSpikes', gradSpikes),
          vThreshold: arena.storage('vThreshold', p.vThreshold), beta: arena.storage('beta', Float32Array.of(p.beta)), gradX,
        });
        return [{ buffer: gradX, byteLength: x.byteLength }];
      });
      expectClose(gpu, reference.gradInput, 1e-4, 1e-6);
    });
  }
});

/**
 * PLIF, a LIF whose leak β and threshold θ are learned, per channel: the smooth surrogate network of
 * the IF/LIF check with β and θ as inputs, `v_{−1} = f·θ`, and spikes S(u) standing for s.
 */
function smoothPlif(x: Float32Array, betas: Float32Array, thetas: Float32Array, numSteps: number, neurons: number, channels: number, probe: Float32Array, slope: number, reset: 'soft' | 'none', initFraction: number) {
  const membrane = new Float32Array(numSteps * neurons);
  const spikes = new Float32Array(numSteps * neurons);
  let loss = 0;
  for (let i = 0; i < neurons; i++) {
    const beta = betas[i % channels];
    const theta = thetas[i % channels];
    let v = initFraction * theta;
    for (let t = 0; t < numSteps; t++) {
      const h = beta * v + x[t * neurons + i];
      const u = h - theta;
      const s = u / (1 + slope * Math.abs(u));
      membrane[t * neurons + i] = h;
      spikes[t * neurons + i] = s;
      loss += probe[t * neurons + i] * s;
      v = reset === 'soft' ? h - theta * s : h;
    }
  }
  return { loss, membrane, spikes };
}

/** Per-neuron values summed per channel (`[neurons]`, channel = i mod channels). */
function perChannel(values: Float32Array, channels: number): number[] {
  const out = new Array<number>(channels).fill(0);
  values.forEach((value, i) => (out[i % channels] += value));
  return out;
}

describe('PLIF: BPTT of a learned leak and threshold', () => {
  for (const reset of ['soft', 'none'] as const) {
    it(`${reset} reset: ∂L/∂x, ∂L/∂β and ∂L/∂θ per channel equal finite differences of the smooth surrogate network`, () => {
      const random = new TestRandom(reset === 'soft' ? 21 : 22);
      const [numSteps, channels, slope, initFraction] = [7, 3, 2, 0.5];
      const neurons = 2 * channels;
      const x = random.floats(numSteps * neurons, -0.4, 1.1);
      const probe = random.floats(numSteps * neurons, -1, 1);
      const betas = Float32Array.of(0.9, 0.7, 0.95);
      const thetas = Float32Array.of(1, 0.8, 1.2);
      const p = params({ model: 'PLIF', reset, channels, vThreshold: thetas, betas, beta: 0.9, vInitFraction: initFraction });
      const { membrane, spikes } = smoothPlif(x, betas, thetas, numSteps, neurons, channels, probe, slope, reset, initFraction);
      const analytic = neuronBackwardReference(p, membrane, probe, numSteps, neurons, { kind: 'fast-sigmoid', slope }, false, spikes);
      const loss = () => smoothPlif(x, betas, thetas, numSteps, neurons, channels, probe, slope, reset, initFraction).loss;
      const all = (n: number) => Array.from({ length: n }, (_, i) => i);
      expectGradientsMatch([...analytic.gradInput], finiteDifferences(loss, x, all(x.length), 1e-3), 5e-3, 1e-4);
      expectGradientsMatch(perChannel(analytic.gradBeta!, channels), finiteDifferences(loss, betas, all(channels), 1e-3), 5e-3, 1e-4);
      expectGradientsMatch(perChannel(analytic.gradThreshold!, channels), finiteDifferences(loss, thetas, all(channels), 1e-3), 5e-3, 1e-4);
      expect(analytic.gradBeta!.some((g) => g !== 0) && analytic.gradThreshold!.some((g) => g !== 0)).toBe(true);
    });
  }

  for (const c of [
    { name: 'soft reset, per-channel β and θ, fast sigmoid', reset: 'soft' as const, detach: false, surrogate: DEFAULT_SURROGATE, perChannel: true },
    { name: 'soft reset detached, one β and θ for the layer, piecewise linear', reset: 'soft' as const, detach: true, surrogate: { kind: 'piecewise-linear' } as Surrogate, perChannel: false },
    { name: 'no reset, per-channel β and θ', reset: 'none' as const, detach: false, surrogate: DEFAULT_SURROGATE, perChannel: true },
  ]) {
    it(`GPU kernel equals the reference: ${c.name}`, async () => {
      const random = new TestRandom(31);
      const channels = 5;
      const [numSteps, neurons] = [12, channels * 41];
      const thetas = c.perChannel ? random.floats(channels, 0.5, 1.5) : Float32Array.of(1);
      const betas = c.perChannel ? random.floats(channels, 0.6, 1) : Float32Array.of(0.85);
      const p = params({ model: 'PLIF', reset: c.reset, channels, vThreshold: thetas, betas, beta: betas[0], vInitFraction: 0.5 });
      const x = random.floats(numSteps * neurons, -0.3, 0.9);
      const { membrane, spikes } = neuronMultiStep(p, x, numSteps, neurons, undefined, true);
      expect(spikes.some((s) => s > 0)).toBe(true);
      const gradSpikes = random.floats(numSteps * neurons, -1, 1);
      const reference = neuronBackwardReference(p, membrane!, gradSpikes, numSteps, neurons, c.surrogate, c.detach, spikes);
      const ctx = await testGpu();
      const [gradX, gradBeta, gradThreshold] = await runOnGpu(ctx, (pass, arena) => {
        const buffers = { gradX: arena.scratch('gradX', x.byteLength), gradBeta: arena.scratch('gradBeta', neurons * 4), gradThreshold: arena.scratch('gradThreshold', neurons * 4) };
        recordNeuronBackward(ctx, pass, arena, {
          params: p, neurons, numSteps, surrogate: c.surrogate, detachReset: c.detach,
          membrane: arena.storage('membrane', membrane!), gradSpikes: arena.storage('gradSpikes', gradSpikes),
          vThreshold: arena.storage('vThreshold', thetas), beta: arena.storage('beta', betas), gradX: buffers.gradX,
          learned: { gradBeta: buffers.gradBeta, gradThreshold: buffers.gradThreshold },
        });
        return [
          { buffer: buffers.gradX, byteLength: x.byteLength },
          { buffer: buffers.gradBeta, byteLength: neurons * 4 },
          { buffer: buffers.gradThreshold, byteLength: neurons * 4 },
        ];
      });
      expectClose(gradX, reference.gradInput, 1e-4, 1e-6);
      expectClose(gradBeta, reference.gradBeta!, 1e-4, 1e-5);
      expectClose(gradThreshold, reference.gradThreshold!, 1e-4, 1e-5);
    });
  }
});
