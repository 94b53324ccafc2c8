import { describe, expect, it } from 'vitest';
import { dot, expectGradientsMatch, finiteDifferences, sampleIndices } from '../test-support/gradcheck';
import { TestRandom } from '../test-support/random';
import { activationBackwardTrainReference, activationForwardTrainReference } from './activation-train';
import { adamWReference } from './adamw';
import { convReference } from './conv';
import { convInputBackwardReference, convShapeOfTrain, convWeightBackwardReference, convWeightOffsets, type ConvTrainShape } from './conv-train';
import { crossEntropyReference } from './cross-entropy';
import { dropoutReference } from './dropout';
import { embeddingBackwardReference, groupOccurrences } from './embedding-backward';
import { linearReference } from './linear';
import { linearInputBackwardReference, linearWeightBackwardReference } from './linear-train';
import { poolSumReference, scaleRowsReference } from './pool';
import { poolBackwardReference } from './pool-train';

const random = new TestRandom(2024);

describe('training references: gradients against finite differences', () => {
  it('convolution over positions: weight and input gradients, masked positions get none', () => {
    const shape: ConvTrainShape = { batch: 3, tokens: 7, inChannels: 5, widths: [2, 3], filters: 3 };
    const lengths = Uint32Array.from([7, 4, 2]);
    const input = random.floats(shape.batch * shape.tokens * shape.inChannels, -1, 1);
    const weights = random.floats(convWeightOffsets(shape).total, -0.5, 0.5);
    const probe = random.floats(shape.batch * 6 * 6, -1, 1);
    // The forward pass is the inference convolution with one row per sample.
    const forward = () => convReference(convShapeOfTrain(shape), input, weights, null, lengths);
    const loss = () => dot(probe, forward());
    const output = forward();
    // Sample 2 (length 2) has no position of the width-3 branch: masked to 0.
    expect(output[(2 * 6 + 0) * 6 + 3]).toBe(0);
    const weightIndices = sampleIndices(weights.length, 25);
    expectGradientsMatch(
      weightIndices.map((i) => convWeightBackwardReference(shape, input, probe, lengths)[i]),
      finiteDifferences(loss, weights, weightIndices),
    );
    const inputIndices = sampleIndices(input.length, 40);
    expectGradientsMatch(
      inputIndices.map((i) => convInputBackwardReference(shape, weights, probe, lengths)[i]),
      finiteDifferences(loss, input, inputIndices),
    );
    // Padding tokens past a sample's length receive no gradient.
    const gradInput = convInputBackwardReference(shape, weights, probe, lengths);
    for (let d = 0; d < shape.inChannels; d++) expect(gradInput[(1 * shape.tokens + 5) * shape.inChannels + d]).toBe(0);
  });

  it('linear: weight, bias and input gradients', () => {
    const shape = { rows: 4, inFeatures: 6, outFeatures: 3 };
    const input = random.floats(24, -1, 1);
    const weights = random.floats(18, -1, 1);
    const bias = random.floats(3, -1, 1);
    const probe = random.floats(12, -1, 1);
    const loss = () => dot(probe, linearReference(shape.rows, shape.inFeatures, shape.outFeatures, input, weights, bias));
    const grads = linearWeightBackwardReference(shape, input, probe);
    const all = (n: number) => Array.from({ length: n }, (_, i) => i);
    expectGradientsMatch([...grads.weights], finiteDifferences(loss, weights, all(18)));
    expectGradientsMatch([...grads.bias], finiteDifferences(loss, bias, all(3)));
    expectGradientsMatch([...linearInputBackwardReference(shape, weights, probe)], finiteDifferences(loss, input, all(24)));
  });

  it('ReLU: gradient away from the kink', () => {
    const input = random.floats(64, -1, 1).map((x) => (Math.abs(x) < 0.05 ? 0.5 : x));
    const probe = random.floats(64, -1, 1);
    const loss = () => dot(probe, activationForwardTrainReference(input, { kind: 'relu' }, 1));
    const { gradInput } = activationBackwardTrainReference(input, probe, { kind: 'relu' }, 1, 1);
    const all = Array.from({ length: 64 }, (_, i) => i);
    expectGradientsMatch([...gradInput], finiteDifferences(loss, input, all, 1e-3));
  });

  it('quantised clip-floor: straight-through input gradient and the LSQ step gradient', () => {
    const step = 0.25;
    const activation = { kind: 'quant' as const, levels: 4 };
    const input = Float32Array.from([-0.3, -0.1, 0.1, 0.3, 0.6, 0.8, 0.9, 2]);
    const forward = activationForwardTrainReference(input, activation, step);
    expect([...forward]).toEqual([0, 0, 0, 0.25, 0.5, 0.75, 0.75, 0.75]);
    const probe = new Float32Array(8).fill(1);
    const { gradInput, gradStep } = activationBackwardTrainReference(input, probe, activation, step, 1);
    // Inside the clip range (0 < x/s < 3): dx = dy; outside: 0.
    expect([...gradInput]).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
    // ds: round(u) − u inside, L − 1 above, 0 below.
    const expected = 0 + 0 + (0 - 0.4) + (1 - 1.2) + (2 - 2.4) + 3 + 3 + 3;
    expect(gradStep).toBeCloseTo(expected, 5);
    // Summed over a smooth spread of inputs, the LSQ step gradient equals the finite difference of
    // the summed quantised output (the staircase averages out).
    const spread = Float32Array.from({ length: 4001 }, (_, i) => -0.2 + (1.2 * i) / 4000);
    const ones = new Float32Array(spread.length).fill(1);
    const mean = (s: number) => activationForwardTrainReference(spread, activation, s).reduce((a, b) => a + b, 0);
    const numeric = (mean(step + 0.01) - mean(step - 0.01)) / 0.02;
    const analytic = activationBackwardTrainReference(spread, ones, activation, step, 1).gradStep;
    expect(Math.abs(analytic - numeric)).toBeLessThan(0.05 * Math.abs(numeric));
  });

  it('pooling over positions (average of the valid positions): gradient', () => {
    const batch = 2;
    const positions = 5;
    const channels = 3;
    const validPositions = Uint32Array.from([5, 3, 4, 2, 0, 1]);
    const scale = Float32Array.from(validPositions, (v) => (v > 0 ? Math.fround(1 / v) : 0));
    const input = random.floats(batch * positions * channels, -1, 1);
    const probe = random.floats(batch * channels, -1, 1);
    const loss = () => {
      const pooled = poolSumReference({ rows: batch, batch, positions, channels }, input, validPositions);
      scaleRowsReference(batch, batch, channels, pooled, scale);
      return dot(probe, pooled);
    };
    const all = Array.from({ length: input.length }, (_, i) => i);
    expectGradientsMatch([...poolBackwardReference(batch, positions, channels, probe, validPositions, scale)], finiteDifferences(loss, input, all));
  });

  it('dropout: the same mask forward and backward, about the right fraction kept, scaled', () => {
    const input = new Float32Array(10000).fill(1);
    const out = dropoutReference(input, 0.5, 7, 3);
    const kept = out.filter((x) => x > 0).length;
    expect(kept).toBeGreaterThan(4800);
    expect(kept).toBeLessThan(5200);
    expect(new Set(out)).toEqual(new Set([0, 2]));
    const probe = random.floats(200, -1, 1);
    const x = random.floats(200, -1, 1);
    const loss = () => dot(probe, dropoutReference(x, 0.3, 1, 9));
    const all = Array.from({ length: 200 }, (_, i) => i);
    expectGradientsMatch([...dropoutReference(probe, 0.3, 1, 9)], finiteDifferences(loss, x, all));
    expect([...dropoutReference(x, 0.3, 1, 10)]).not.toEqual([...dropoutReference(x, 0.3, 1, 9)]);
  });

  it('cross-entropy: gradient of the mean loss, correctness flags', () => {
    const logits = random.floats(4 * 5, -2, 2);
    const labels = Int32Array.from([0, 4, 2, 2]);
    const loss = () => crossEntropyReference(logits, labels, 5, 0.25).losses.reduce((a, b) => a + b, 0) / 4;
    const { gradLogits, correct } = crossEntropyReference(logits, labels, 5, 0.25);
    const all = Array.from({ length: 20 }, (_, i) => i);
    expectGradientsMatch([...gradLogits], finiteDifferences(loss, logits, all, 1e-3));
    const argmax = (b: number) => [0, 1, 2, 3, 4].reduce((best, k) => (logits[b * 5 + k] > logits[b * 5 + best] ? k : best), 0);
    expect([...correct]).toEqual([0, 1, 2, 3].map((b) => (argmax(b) === labels[b] ? 1 : 0)));
  });

  it('embedding lookup: gradient sums every occurrence of a row', () => {
    const dim = 3;
    const tokenIds = Int32Array.from([2, 0, -1, 2, 5, 2]);
    const table = random.floats(6 * dim, -1, 1);
    const probe = random.floats(tokenIds.length * dim, -1, 1);
    const gather = () => {
      const out = new Float32Array(tokenIds.length * dim);
      tokenIds.forEach((id, slot) => id >= 0 && out.set(table.subarray(id * dim, (id + 1) * dim), slot * dim));
      return out;
    };
    const loss = () => dot(probe, gather());
    const groups = groupOccurrences(tokenIds);
    expect([...groups.rows]).toEqual([0, 2, 5]);
    const gradTable = new Float32Array(table.length);
    embeddingBackwardReference(groups, probe, dim, gradTable);
    const all = Array.from({ length: table.length }, (_, i) => i);
    expectGradientsMatch([...gradTable], finiteDifferences(loss, table, all));
  });

  it('AdamW: first step moves each parameter by lr against its gradient sign, plus decay; bounds hold', () => {
    const param = Float32Array.from([1, -1, 0.5, 0.999]);
    const grad = Float32Array.from([0.3, -2, 0, -1]);
    const m = new Float32Array(4);
    const v = new Float32Array(4);
    adamWReference(param, grad, m, v, { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, step: 1, high: 1 });
    expect(param[0]).toBeCloseTo(1 - 0.01 * (1 + 0.1), 5);
    expect(param[1]).toBeCloseTo(-1 - 0.01 * (-1 - 0.1), 5);
    expect(param[2]).toBeCloseTo(0.5 - 0.01 * 0.05, 6);
    expect(param[3]).toBe(1);
  });
});
