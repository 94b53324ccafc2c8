import { describe, expect, it } from 'vitest';
import type { TrainActivation } from '../../reference/activation-train';
import { tokenRecurrentBackwardTrainReference, tokenRecurrentForwardTrainReference, type TokenRecurrentTrainShape } from '../../reference/token-recurrent-train';
import { expectClose, expectExact } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { recordTokenRecurrentBackwardTrain, recordTokenRecurrentForwardTrain } from './token-recurrent-train';

const out = (buffer: GPUBuffer, length: number) => ({ buffer, byteLength: length * 4 });

describe('token-recurrent training kernels against their references', () => {
  for (const { name, shape, lengths, activation, step } of [
    { name: 'quantiser, 4 levels, hidden 72', shape: { batch: 9, positions: 9, hidden: 72 }, lengths: [9, 5, 1, 7, 9, 2, 8, 3, 6], activation: { kind: 'quant', levels: 4 }, step: 0.25 },
    { name: 'quantiser, 8 levels, hidden 256', shape: { batch: 2, positions: 6, hidden: 256 }, lengths: [6, 3], activation: { kind: 'quant', levels: 8 }, step: 0.125 },
    { name: 'ReLU, hidden 36, two workgroups', shape: { batch: 6, positions: 5, hidden: 36 }, lengths: [5, 5, 2, 0, 3, 4], activation: { kind: 'relu' }, step: 1 },
  ] as { name: string; shape: TokenRecurrentTrainShape; lengths: number[]; activation: TrainActivation; step: number }[]) {
    it(`forward exactly, backward through time closely (${name})`, async () => {
      const random = new TestRandom(shape.hidden + shape.positions);
      const count = shape.batch * shape.positions * shape.hidden;
      // A grid of 2^-6 with the step a power of two: every float32 sum of the forward pass is exact.
      const input = random.quantised(count, -32, 80, 1 / 64);
      const transposedRecurrentWeights = random.quantised(shape.hidden * shape.hidden, -8, 8, 1 / 64);
      const gradOutput = random.floats(count, -1, 1);
      const lengthArray = Uint32Array.from(lengths);
      const stepGradScale = 0.5;
      const ctx = await testGpu();
      const [preActivation, output, previous, gradInput, gradStep] = await runOnGpu(ctx, (pass, arena) => {
        const b = {
          step: arena.storage('step', Float32Array.of(step)),
          input: arena.storage('input', input),
          transposedRecurrentWeights: arena.storage('U', transposedRecurrentWeights),
          lengths: arena.storage('lengths', lengthArray),
          preActivation: arena.scratch('u', count * 4),
          output: arena.scratch('y', count * 4),
          previous: arena.scratch('previous', count * 4),
          gradOutput: arena.storage('gradOutput', gradOutput),
          gradInput: arena.scratch('gradInput', count * 4),
          gradStep: arena.scratch('gradStep', 16),
        };
        recordTokenRecurrentForwardTrain(ctx, pass, arena, { shape, activation, ...b });
        recordTokenRecurrentBackwardTrain(ctx, pass, arena, { shape, activation, ...b, gradStep: activation.kind === 'quant' ? b.gradStep : null, stepGradScale });
        return [out(b.preActivation, count), out(b.output, count), out(b.previous, count), out(b.gradInput, count), out(b.gradStep, 1)];
      });
      const forward = tokenRecurrentForwardTrainReference(shape, activation, step, input, transposedRecurrentWeights, lengthArray);
      expectExact(preActivation, forward.preActivation);
      expectExact(output, forward.output);
      expectExact(previous, forward.previous);
      expect(new Set(forward.output).size).toBeGreaterThan(2);
      const backward = tokenRecurrentBackwardTrainReference(shape, activation, step, forward.preActivation, transposedRecurrentWeights, lengthArray, gradOutput, stepGradScale);
      expectClose(gradInput, backward.gradInput, 1e-4, 1e-5);
      expect(backward.gradInput.some((g) => g !== 0)).toBe(true);
      if (activation.kind === 'quant') expectClose(gradStep, Float32Array.of(backward.gradStep), 1e-4, 1e-4);
    });
  }
});
