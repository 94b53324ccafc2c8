import { describe, expect, it } from 'vitest';
import { lstmBackwardReference, lstmForwardReference, lstmRecurrentGradReference, type LstmShape } from '../../reference/lstm';
import { expectClose } from '../../test-support/compare';
import { dot, expectGradientsMatch, finiteDifferences, sampleIndices } from '../../test-support/gradcheck';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { recordLstm, recordLstmBackward, recordLstmRecurrentGrad } from './lstm';

function lstmCase(seed: number, shape: LstmShape) {
  const random = new TestRandom(seed);
  const { sequences: S, positions: P, hidden: H } = shape;
  return {
    z: random.floats(S * P * 4 * H, -1.5, 1.5),
    u: random.floats(4 * H * H, -1 / Math.sqrt(H), 1 / Math.sqrt(H)),
    lengths: Uint32Array.from({ length: shape.batch }, (_, s) => [P, Math.max(1, P - 3), 0, 1][s % 4]),
    grad: random.floats(S * P * H, -1, 1),
  };
}

describe('LSTM kernels (shaders/lstm.wgsl, lstm_backward.wgsl) against the reference', () => {
  it('the reference backward equals finite differences of the reference forward (∂L/∂z)', () => {
    const shape = { sequences: 2, batch: 2, positions: 5, hidden: 3 };
    const { z, u, lengths, grad } = lstmCase(1, shape);
    lengths.set([5, 3]);
    const loss = () => dot(grad, lstmForwardReference(shape, z, u, lengths).output);
    const kept = lstmForwardReference(shape, z, u, lengths);
    const analytic = lstmBackwardReference(shape, kept, u, lengths, grad);
    const indices = sampleIndices(z.length, 40);
    expectGradientsMatch(indices.map((i) => analytic[i]), finiteDifferences(loss, z, indices, 1e-2), 5e-3, 2e-4);
    // ∂L/∂U = Σ_p da_p ⊗ h_{p−1}.
    const dU = lstmRecurrentGradReference(shape, kept.output, analytic, lengths);
    const uIndices = sampleIndices(u.length, 20);
    expectGradientsMatch(uIndices.map((i) => dU[i]), finiteDifferences(loss, u, uIndices, 1e-2), 5e-3, 2e-4);
  });

  for (const shape of [
    { sequences: 6, batch: 6, positions: 9, hidden: 40 },
    { sequences: 8, batch: 4, positions: 4, hidden: 130 },
  ]) {
    it(`forward, backward and dU, ${shape.sequences} sequences (lengths of ${shape.batch}) × ${shape.positions} positions × ${shape.hidden} units, ragged`, async () => {
      const { z, u, lengths, grad } = lstmCase(shape.hidden, shape);
      const { sequences: S, positions: P, hidden: H } = shape;
      const reference = lstmForwardReference(shape, z, u, lengths);
      const backward = lstmBackwardReference(shape, reference, u, lengths, grad);
      const dU = lstmRecurrentGradReference(shape, reference.output, backward, lengths);
      const ctx = await testGpu();
      const plane = S * P * H;
      const [output, gates, cells, carry, gradGates, gradU] = await runOnGpu(ctx, (pass, arena) => {
        const buffers = {
          z: arena.storage('z', z),
          u: arena.storage('u', u),
          lengths: arena.storage('lengths', lengths),
          carry: arena.scratch('carry', S * 2 * H * 4),
          output: arena.scratch('output', plane * 4),
          gates: arena.scratch('gates', 4 * plane * 4),
          cells: arena.scratch('cells', plane * 4),
          grad: arena.storage('grad', grad),
          gradGates: arena.scratch('gradGates', 4 * plane * 4),
          gradU: arena.scratch('gradU', u.byteLength),
        };
        recordLstm(ctx, pass, arena, { shape, z: buffers.z, recurrentWeights: buffers.u, lengths: buffers.lengths, carry: buffers.carry, continues: false, output: buffers.output, kept: { gates: buffers.gates, cells: buffers.cells } });
        recordLstmBackward(ctx, pass, arena, { shape, gates: buffers.gates, cells: buffers.cells, recurrentWeights: buffers.u, lengths: buffers.lengths, gradOutput: buffers.grad, gradGates: buffers.gradGates });
        recordLstmRecurrentGrad(ctx, pass, arena, { shape, output: buffers.output, gradGates: buffers.gradGates, lengths: buffers.lengths, gradRecurrent: buffers.gradU });
        return [
          { buffer: buffers.output, byteLength: plane * 4 },
          { buffer: buffers.gates, byteLength: 4 * plane * 4 },
          { buffer: buffers.cells, byteLength: plane * 4 },
          { buffer: buffers.carry, byteLength: S * 2 * H * 4 },
          { buffer: buffers.gradGates, byteLength: 4 * plane * 4 },
          { buffer: buffers.gradU, byteLength: u.byteLength },
        ];
      });
      expectClose(output, reference.output, 1e-4, 1e-5);
      expectClose(gates, reference.gates, 1e-4, 1e-5);
      expectClose(cells, reference.cells, 1e-4, 1e-5);
      expectClose(carry, reference.carry, 1e-4, 1e-5);
      expectClose(gradGates, backward, 1e-3, 1e-5);
      expectClose(gradU, dU, 1e-3, 1e-5);
      // A sequence of length 0 gives zeros everywhere, and no gradient.
      expect(output.subarray(2 * P * H, 3 * P * H).every((x) => x === 0)).toBe(true);
      expect(gradGates.subarray(2 * P * 4 * H, 3 * P * 4 * H).every((x) => x === 0)).toBe(true);
    });
  }

  it('chunks of positions carrying h and c give the whole sequence', async () => {
    const shape = { sequences: 4, batch: 4, positions: 10, hidden: 24 };
    const { z, u, lengths } = lstmCase(5, shape);
    const { sequences: S, positions: P, hidden: H } = shape;
    const whole = lstmForwardReference(shape, z, u, lengths);
    const chunks: [number, number][] = [[0, 4], [4, 7], [7, 10]];
    const ctx = await testGpu();
    const parts = await runOnGpu(ctx, (pass, arena) => {
      const carry = arena.scratch('carry', S * 2 * H * 4);
      const u4 = arena.storage('u', u);
      return chunks.map(([start, end], k) => {
        const Q = end - start;
        const part = new Float32Array(S * Q * 4 * H);
        for (let s = 0; s < S; s++) part.set(z.subarray((s * P + start) * 4 * H, (s * P + end) * 4 * H), s * Q * 4 * H);
        const valid = Uint32Array.from(lengths, (v) => Math.max(0, Math.min(Q, v - start)));
        const output = arena.scratch(`output${k}`, S * Q * H * 4);
        recordLstm(ctx, pass, arena, { shape: { sequences: S, batch: S, positions: Q, hidden: H }, z: arena.storage(`z${k}`, part), recurrentWeights: u4, lengths: arena.storage(`valid${k}`, valid), carry, continues: k > 0, output });
        return { buffer: output, byteLength: S * Q * H * 4 };
      });
    });
    for (const [k, [start, end]] of chunks.entries()) {
      const Q = end - start;
      for (let s = 0; s < S; s++) expectClose(parts[k].subarray(s * Q * H, (s + 1) * Q * H), whole.output.subarray((s * P + start) * H, (s * P + end) * H), 1e-4, 1e-5);
    }
  });
});
