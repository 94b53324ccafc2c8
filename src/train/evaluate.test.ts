import { describe, expect, it } from 'vitest';
import { loadDataset } from '../data/load';
import { GpuBackend } from '../engine/backends';
import { parseModel, serializeModel } from '../model/format';
import { testGpu } from '../test-support/gpu';
import { collectActivations, percentile } from './calibrate';
import { lvIfModel } from './export';
import { evaluateModel } from './evaluate';
import { GpuOps } from '../engine/gpu-ops';
import { characterVocabulary, encodeExamples } from './prepare';
import { trainTextCnn } from './run';
import { TextCnnTrainer, type TextCnnConfig } from './textcnn';

/**
 * Train (a little) → convert (IF, balanced thresholds, rate input) → evaluate on a slice of the real
 * ChnSentiCorp test split through the inference engine: the numbers `spikescope eval` prints.
 */
describe('train, convert and evaluate on real data (small slice)', () => {
  it('learns above chance and reports accuracy, firing rates and energy for every T', async () => {
    const dataset = await loadDataset('chnsenticorp');
    const trainExamples = dataset.train.slice(0, 600);
    const prepared = characterVocabulary(trainExamples, 16, 1, 2);
    const train = encodeExamples(trainExamples, prepared);
    const held = encodeExamples(dataset.dev!.slice(0, 120), prepared);
    const config: TextCnnConfig = { dim: 16, widths: [2, 3], filters: 16, classes: 2, hidden: { kind: 'relu' }, pool: 'avg', dropout: 0.3, learnTable: true, minLength: 3, centre: 0.5 };
    const ctx = await testGpu();
    const ops = new GpuOps(ctx);
    const log: string[] = [];
    let model;
    try {
      const settings = { seed: 4, epochs: 3, batchSize: 40, learningRate: 5e-3, tableLearningRate: 2e-2, weightDecay: 0.01, maxTokens: 48 };
      const result = await trainTextCnn(ops, config, prepared.probabilities, train, held, settings, (line) => log.push(line));
      // The loss falls and held-out accuracy is above chance (chance ≈ 50 %).
      expect(result.history[2].trainLoss).toBeLessThan(result.history[0].trainLoss);
      expect(Math.max(...result.history.map((e) => e.devAccuracy))).toBeGreaterThan(0.6);
      expect(log.some((line) => /epoch 3\/3 .*loss .*acc .*left/.test(line))).toBe(true);
      const trainer = new TextCnnTrainer(ops, config, result.parameters, 40, 48);
      const a = await collectActivations(trainer, train.slice(0, 200), 40, 48);
      const provenance = { name: 'test IF', description: '', command: 'test', dataset: 'chnsenticorp', split: 'given', seed: 4, notes: '' };
      const made = lvIfModel({ prepared, config, parameters: result.parameters, classes: dataset.classes, lambdas: { conv: percentile(a.conv, 99.9), pooled: percentile(a.pooled, 99.9), logits: percentile(a.logits, 99.9) }, numSteps: 8, seed: 4, provenance, metrics: {} });
      const { configText, weightBytes } = serializeModel(made.config, made.weights);
      model = parseModel(configText, weightBytes);
    } finally {
      ops.dispose();
    }
    const evaluation = await evaluateModel({ model, examples: dataset.test.slice(0, 64), backend: new GpuBackend(ctx), stepsSweep: [4, 16], encoding: 'rate', seed: 1, dataset: 'chnsenticorp' });
    expect(evaluation.testSize).toBe(64);
    expect(evaluation.ann.accuracy).toBeGreaterThan(0.55);
    expect(evaluation.snn.map((run) => run.numSteps)).toEqual([4, 16]);
    for (const run of evaluation.snn) {
      expect(run.accuracy).toBeGreaterThanOrEqual(0);
      expect(Object.keys(run.firingRates)).toEqual(['input', 'conv_spike', 'pool_spike', 'fc_spike']);
      expect(run.firingRates.conv_spike).toBeGreaterThan(0);
      expect(run.energyPerSentence.snnMicrojoules).toBeGreaterThan(0);
      expect(run.energyPerSentence.annMicrojoules).toBeGreaterThan(0);
      // NeuroBench's metrics: operations from the spikes against the dense network's, sparsity from the rates.
      const nb = run.neurobench!;
      expect(nb.effectiveAcs).toBeGreaterThan(0);
      expect(nb.denseSynapticOperations).toBeGreaterThan(0);
      expect(nb.layerActivationSparsity.conv_spike).toBeCloseTo(1 - run.firingRates.conv_spike, 12);
      expect(nb.activationSparsity).toBeGreaterThan(0);
      expect(nb.activationSparsity).toBeLessThan(1);
    }
    const footprint = evaluation.footprint!;
    expect(footprint.parameters).toBe([...model.weights.values()].reduce((sum, w) => sum + w.length, 0) + model.embeddings.length);
    expect(footprint.connectionSparsity).toBeGreaterThanOrEqual(0);
    // Energy grows with T; more steps track the ANN at least as well.
    expect(evaluation.snn[1].energyPerSentence.snnMicrojoules).toBeGreaterThan(evaluation.snn[0].energyPerSentence.snnMicrojoules);
  });
});
