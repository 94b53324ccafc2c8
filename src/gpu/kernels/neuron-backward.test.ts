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
      expectGradientsMatch([...analytic], finiteDifferences(() => smoothForward(p, x, numSteps, neurons, probe, slope), x, all, 1e-3), 5e-3, 1e-4);
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
          vThreshold: arena.storage('vThreshold', p.vThreshold), gradX,
        });
        return [{ buffer: gradX, byteLength: x.byteLength }];
      });
      expectClose(gpu, reference, 1e-4, 1e-6);
    });
  }
});
