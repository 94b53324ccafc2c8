import { describe, expect, it } from 'vitest';
import { dot, expectGradientsMatch, finiteDifferences, sampleIndices } from '../test-support/gradcheck';
import { TestRandom } from '../test-support/random';
import type { TrainActivation } from './activation-train';
import { linearWeightBackwardReference } from './linear-train';
import { tokenRecurrentBackwardTrainReference, tokenRecurrentForwardTrainReference, type TokenRecurrentTrainShape } from './token-recurrent-train';

const shape: TokenRecurrentTrainShape = { batch: 3, positions: 6, hidden: 8 };
const lengths = Uint32Array.of(6, 4, 1);

/**
 * An independent float64 oracle of the recurrence with a per-element activation `act(u, step, index)`:
 * a smooth function of z, Uᵀ and the step whose exact gradient the backward pass must produce.
 */
function oracle(z: Float32Array, transposed: Float32Array, step: number, act: (u: number, step: number, index: number) => number): Float64Array {
  const { batch, positions, hidden } = shape;
  const y = new Float64Array(batch * positions * hidden);
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < lengths[b]; p++) {
      const row = (b * positions + p) * hidden;
      for (let h = 0; h < hidden; h++) {
        let u = z[row + h];
        for (let j = 0; j < hidden && p > 0; j++) u += transposed[j * hidden + h] * y[row - hidden + j];
        y[row + h] = act(u, step, row + h);
      }
    }
  }
  return y;
}

function loss(probe: Float32Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += probe[i] * y[i];
  return sum;
}

/** Analytic gradients of `dot(probe, y)` with respect to z, Uᵀ (as the trainer gets it) and the step. */
function analytic(activation: TrainActivation, step: number, z: Float32Array, transposed: Float32Array, probe: Float32Array) {
  const forward = tokenRecurrentForwardTrainReference(shape, activation, step, z, transposed, lengths);
  const backward = tokenRecurrentBackwardTrainReference(shape, activation, step, forward.preActivation, transposed, lengths, probe, 1);
  const rows = shape.batch * shape.positions;
  // dUᵀ[j][h] = Σ_rows y_{p−1}[j] · du_p[h]
  const gradU = linearWeightBackwardReference({ rows, inFeatures: shape.hidden, outFeatures: shape.hidden }, backward.gradInput, forward.previous).weights;
  return { forward, gradZ: backward.gradInput, gradU, gradStep: backward.gradStep };
}

describe('token-recurrent training reference: gradients through time against finite differences', () => {
  it('identity and ReLU: du and dU are the exact gradients; nothing flows past a sample’s length', () => {
    for (const activation of [{ kind: 'identity' }, { kind: 'relu' }] as TrainActivation[]) {
      const random = new TestRandom(activation.kind === 'relu' ? 7 : 8);
      const z = random.floats(shape.batch * shape.positions * shape.hidden, -1, 1);
      const U = random.floats(shape.hidden * shape.hidden, -0.6, 0.6);
      const probe = random.floats(z.length, -1, 1);
      const { forward, gradZ, gradU } = analytic(activation, 1, z, U, probe);
      // ReLU's kinks: perturbations stay on the same side (|u| > 0.01 everywhere checked).
      const act = (u: number) => (activation.kind === 'relu' ? Math.max(0, u) : u);
      const f = () => loss(probe, oracle(z, U, 1, act));
      expect(Math.abs(f() - dot(probe, forward.output))).toBeLessThan(1e-4);
      const safe = (i: number) => activation.kind !== 'relu' || Math.abs(forward.preActivation[i]) > 0.05;
      const zIndices = sampleIndices(z.length, 40).filter(safe);
      expectGradientsMatch(zIndices.map((i) => gradZ[i]), finiteDifferences(f, z, zIndices, 1e-3));
      const uIndices = sampleIndices(U.length, 24);
      if (activation.kind === 'identity') expectGradientsMatch(uIndices.map((i) => gradU[i]), finiteDifferences(f, U, uIndices, 1e-3));
      // Sample 2 has one position: rows 1.. of it get nothing.
      for (let p = 1; p < shape.positions; p++) {
        for (let h = 0; h < shape.hidden; h++) {
          const i = (2 * shape.positions + p) * shape.hidden + h;
          expect(gradZ[i]).toBe(0);
          expect(forward.output[i]).toBe(0);
          expect(forward.previous[i]).toBe(0);
        }
      }
    }
  });

  it('quantiser: the straight-through and LSQ gradients are exact for the quantiser linearised at the point', () => {
    const random = new TestRandom(11);
    const levels = 4;
    const activation: TrainActivation = { kind: 'quant', levels };
    const step = 0.3;
    const z = random.floats(shape.batch * shape.positions * shape.hidden, -0.4, 1.3);
    const U = random.floats(shape.hidden * shape.hidden, -0.5, 0.5);
    const probe = random.floats(z.length, -1, 1);
    const { forward, gradZ, gradU, gradStep } = analytic(activation, step, z, U, probe);
    // At the point, each element is below the range, inside it or above it; inside, ⌊u/s + ½⌋ is held
    // and u/s moves: y = s·n0 + u − s·x0, which equals the quantiser at the point and has the
    // straight-through derivatives (∂y/∂u = 1, ∂y/∂s = n0 − x0); above, y = s·(L − 1); below, 0.
    const x0 = forward.preActivation.map((u) => Math.fround(u / step));
    const act = (u: number, s: number, i: number) => {
      if (x0[i] <= 0) return 0;
      if (x0[i] >= levels - 1) return s * (levels - 1);
      return s * Math.floor(x0[i] + 0.5) + u - s * x0[i];
    };
    const stepTensor = Float32Array.of(step);
    const f = () => loss(probe, oracle(z, U, stepTensor[0], act));
    expect(Math.abs(f() - dot(probe, forward.output))).toBeLessThan(1e-4);
    const classes = new Set(x0.map((x) => (x <= 0 ? 0 : x >= levels - 1 ? 2 : 1)));
    expect(classes.size).toBe(3);
    const zIndices = sampleIndices(z.length, 40);
    expectGradientsMatch(zIndices.map((i) => gradZ[i]), finiteDifferences(f, z, zIndices, 1e-3));
    const uIndices = sampleIndices(U.length, 24);
    expectGradientsMatch(uIndices.map((i) => gradU[i]), finiteDifferences(f, U, uIndices, 1e-3));
    expectGradientsMatch([gradStep], finiteDifferences(f, stepTensor, [0], 1e-3));
  });

  it('one position is the plain quantised activation: y = s·clamp(⌊z/s + ½⌋, 0, L − 1)', () => {
    const z = [-0.3, 0.1, 0.3, 0.6, 0.8, 2];
    const result = tokenRecurrentForwardTrainReference({ batch: 6, positions: 1, hidden: 4 }, { kind: 'quant', levels: 4 }, 0.25, Float32Array.from(z.flatMap((x) => [x, x, x, x])), new Float32Array(16).fill(5), new Uint32Array(6).fill(1));
    expect([...result.output].filter((_, i) => i % 4 === 0)).toEqual([0, 0, 0.25, 0.5, 0.75, 0.75]);
  });
});
