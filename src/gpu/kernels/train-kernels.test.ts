import { describe, expect, it } from 'vitest';
import { activationBackwardTrainReference, activationForwardTrainReference, type TrainActivation } from '../../reference/activation-train';
import { adamWReference, type AdamWSettings } from '../../reference/adamw';
import { convInputBackwardReference, convTrainPositions, convWeightBackwardReference, convWeightOffsets, type ConvTrainShape } from '../../reference/conv-train';
import { crossEntropyReference } from '../../reference/cross-entropy';
import { dropoutReference } from '../../reference/dropout';
import { embeddingBackwardReference, groupOccurrences } from '../../reference/embedding-backward';
import { linearInputBackwardReference, linearWeightBackwardReference } from '../../reference/linear-train';
import { poolBackwardReference } from '../../reference/pool-train';
import { expectClose, expectExact } from '../../test-support/compare';
import { runOnGpu, testGpu } from '../../test-support/gpu';
import { TestRandom } from '../../test-support/random';
import { recordActivationBackwardTrain, recordActivationForwardTrain } from './activation-train';
import { recordAdamW } from './adamw';
import { recordConvInputBackward, recordConvWeightBackward } from './conv-train';
import { recordCrossEntropy } from './cross-entropy';
import { recordDropout } from './dropout';
import { recordEmbeddingBackward } from './embedding-backward';
import { recordLinearInputBackward, recordLinearWeightBackward } from './linear-train';
import { recordPoolBackward } from './pool-backward';

const out = (buffer: GPUBuffer, length: number) => ({ buffer, byteLength: length * 4 });

describe('training kernels against their references', () => {
  const shapes: { name: string; shape: ConvTrainShape; lengths: number[] }[] = [
    { name: 'odd sizes, a sample shorter than the widest branch', shape: { batch: 3, tokens: 9, inChannels: 5, widths: [3, 4, 5], filters: 6 }, lengths: [9, 6, 3] },
    { name: 'blocks of 4, one branch', shape: { batch: 2, tokens: 12, inChannels: 8, widths: [2], filters: 8 }, lengths: [12, 7] },
  ];
  for (const { name, shape, lengths: lengthList } of shapes) {
    it(`convolution weight and input gradients (${name})`, async () => {
      const random = new TestRandom(shape.tokens * 7 + shape.inChannels);
      const positions = convTrainPositions(shape);
      const C = shape.widths.length * shape.filters;
      const lengths = Uint32Array.from(lengthList);
      const input = random.floats(shape.batch * shape.tokens * shape.inChannels, 0, 1);
      const weights = random.floats(convWeightOffsets(shape).total, -0.5, 0.5);
      const gradOutput = random.floats(shape.batch * positions * C, -1, 1);
      const ctx = await testGpu();
      const [gradWeights, gradInput] = await runOnGpu(ctx, (pass, arena) => {
        const buffers = {
          input: arena.storage('input', input),
          weights: arena.storage('weights', weights),
          lengths: arena.storage('lengths', lengths),
          gradOutput: arena.storage('gradOutput', gradOutput),
          gradWeights: arena.scratch('gradWeights', weights.byteLength),
          gradInput: arena.scratch('gradInput', input.byteLength),
        };
        recordConvWeightBackward(ctx, pass, arena, { shape, ...buffers });
        recordConvInputBackward(ctx, pass, arena, { shape, ...buffers });
        return [out(buffers.gradWeights, weights.length), out(buffers.gradInput, input.length)];
      });
      expectClose(gradWeights, convWeightBackwardReference(shape, input, gradOutput, lengths), 1e-5, 1e-5);
      expectClose(gradInput, convInputBackwardReference(shape, weights, gradOutput, lengths), 1e-5, 1e-5);
    });
  }

  it('linear weight, bias and input gradients', async () => {
    const random = new TestRandom(5);
    const shape = { rows: 7, inFeatures: 13, outFeatures: 3 };
    const input = random.floats(7 * 13, -1, 1);
    const weights = random.floats(3 * 13, -1, 1);
    const gradOutput = random.floats(7 * 3, -1, 1);
    const ctx = await testGpu();
    const [gradWeights, gradBias, gradInput] = await runOnGpu(ctx, (pass, arena) => {
      const b = {
        input: arena.storage('input', input),
        weights: arena.storage('weights', weights),
        gradOutput: arena.storage('gradOutput', gradOutput),
        gradWeights: arena.scratch('gradWeights', weights.byteLength),
        gradBias: arena.scratch('gradBias', 12),
        gradInput: arena.scratch('gradInput', input.byteLength),
      };
      recordLinearWeightBackward(ctx, pass, arena, { shape, ...b });
      recordLinearInputBackward(ctx, pass, arena, { shape, ...b });
      return [out(b.gradWeights, 39), out(b.gradBias, 3), out(b.gradInput, 91)];
    });
    const reference = linearWeightBackwardReference(shape, input, gradOutput);
    expectClose(gradWeights, reference.weights);
    expectClose(gradBias, reference.bias);
    expectClose(gradInput, linearInputBackwardReference(shape, weights, gradOutput));
  });

  const activations: TrainActivation[] = [{ kind: 'relu' }, { kind: 'identity' }, { kind: 'quant', levels: 4 }];
  for (const activation of activations) {
    it(`activation ${activation.kind}: forward exactly, input and step gradients`, async () => {
      const random = new TestRandom(17);
      const count = 1000;
      const step = 0.3;
      const input = random.quantised(count, -100, 600, 1 / 256);
      const gradOutput = random.floats(count, -1, 1);
      const ctx = await testGpu();
      const [forward, gradInput, gradStep] = await runOnGpu(ctx, (pass, arena) => {
        const b = {
          step: arena.storage('step', Float32Array.of(step)),
          input: arena.storage('input', input),
          gradOutput: arena.storage('gradOutput', gradOutput),
          output: arena.scratch('output', count * 4),
          gradInput: arena.scratch('gradInput', count * 4),
          gradStep: arena.scratch('gradStep', 4),
        };
        recordActivationForwardTrain(ctx, pass, arena, { count, activation, ...b });
        recordActivationBackwardTrain(ctx, pass, arena, { count, activation, stepGradScale: 0.5, ...b });
        return [out(b.output, count), out(b.gradInput, count), out(b.gradStep, 1)];
      });
      expectExact(forward, activationForwardTrainReference(input, activation, step));
      const reference = activationBackwardTrainReference(input, gradOutput, activation, Math.fround(step), 0.5);
      expectExact(gradInput, reference.gradInput);
      if (activation.kind === 'quant') expect(gradStep[0]).toBeCloseTo(reference.gradStep, 3);
    });
  }

  it('pool backward, dropout, cross-entropy, embedding backward and AdamW', async () => {
    const random = new TestRandom(23);
    const [batch, positions, channels] = [3, 5, 4];
    const validPositions = Uint32Array.from({ length: batch * channels }, (_, i) => i % 6);
    const scale = Float32Array.from(validPositions, (v) => (v > 0 ? Math.fround(1 / v) : 0));
    const gradPooled = random.floats(batch * channels, -1, 1);
    const dropoutInput = random.floats(333, -1, 1);
    const logits = random.floats(6 * 5, -3, 3);
    const labels = Int32Array.from([0, 1, 2, 3, 4, 0]);
    const tokenIds = Int32Array.from([3, 1, -1, 3, 0, 3, 1, -1]);
    const groups = groupOccurrences(tokenIds);
    const dim = 6;
    const gradInput = random.floats(tokenIds.length * dim, -1, 1);
    const settings: AdamWSettings = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, step: 3, low: -0.5, high: 0.5 };
    const param = random.floats(500, -0.6, 0.6);
    const grad = random.floats(500, -1, 1);
    const m = random.floats(500, -0.1, 0.1);
    const v = random.floats(500, 0, 0.1);
    const ctx = await testGpu();
    const results = await runOnGpu(ctx, (pass, arena) => {
      const pooledIn = arena.scratch('poolGrad', batch * positions * channels * 4);
      recordPoolBackward(ctx, pass, arena, {
        batch, positions, channels,
        gradOutput: arena.storage('gradPooled', gradPooled),
        validPositions: arena.storage('valid', validPositions),
        scale: arena.storage('scale', scale),
        gradInput: pooledIn,
      });
      const dropped = arena.scratch('dropped', 333 * 4);
      recordDropout(ctx, pass, arena, { count: 333, rate: 0.4, seed: 9, iteration: 77, input: arena.storage('dropIn', dropoutInput), output: dropped });
      const gradLogits = arena.scratch('gradLogits', 30 * 4);
      const stats = arena.scratch('stats', 12 * 4);
      recordCrossEntropy(ctx, pass, arena, { batch: 6, classes: 5, gradScale: 1 / 6, logits: arena.storage('logits', logits), labels: arena.storage('labels', labels), gradLogits, stats });
      const gradTable = arena.scratch('gradTable', 4 * dim * 4);
      recordEmbeddingBackward(ctx, pass, arena, { groups, dim, gradInput: arena.storage('gradInput', gradInput), gradTable });
      const readable = GPUBufferUsage.COPY_SRC;
      const b = { param: arena.storage('param', param, readable), grad: arena.storage('grad', grad), m: arena.storage('m', m, readable), v: arena.storage('v', v, readable) };
      recordAdamW(ctx, pass, arena, { count: 500, settings, ...b });
      return [out(pooledIn, batch * positions * channels), out(dropped, 333), out(gradLogits, 30), out(stats, 12), out(gradTable, 4 * dim), out(b.param, 500), out(b.m, 500), out(b.v, 500)];
    });
    const [pooledIn, dropped, gradLogits, stats, gradTable, gpuParam, gpuM, gpuV] = results;
    expectExact(pooledIn, poolBackwardReference(batch, positions, channels, gradPooled, validPositions, scale));
    expectExact(dropped, dropoutReference(dropoutInput, 0.4, 9, 77));
    const ce = crossEntropyReference(logits, labels, 5, 1 / 6);
    expectClose(gradLogits, ce.gradLogits, 1e-5, 1e-6);
    expectClose(Float32Array.from({ length: 6 }, (_, b) => stats[2 * b]), ce.losses, 1e-5, 1e-6);
    expectExact(Float32Array.from({ length: 6 }, (_, b) => stats[2 * b + 1]), ce.correct);
    const table = new Float32Array(4 * dim);
    embeddingBackwardReference(groups, gradInput, dim, table);
    expectExact(gradTable, table);
    adamWReference(param, grad, m, v, settings);
    expectClose(gpuParam, param, 1e-5, 1e-6);
    expectClose(gpuM, m, 1e-5, 1e-7);
    expectClose(gpuV, v, 1e-5, 1e-7);
    expect(Math.max(...gpuParam)).toBeLessThanOrEqual(0.5);
  });
});
