import { describe, expect, it } from 'vitest';
import type { Example } from '../data/dataset';
import { CpuBackend, GpuBackend } from '../engine/backends';
import { prepareBatch } from '../engine/batch';
import { parseModel, serializeModel, type LoadedModel } from '../model/format';
import { embeddingStatistics } from '../model/encoding';
import { makeRandomTextCnn } from '../model/random-model';
import { tokenize } from '../model/tokenizer';
import { DEFAULT_SURROGATE } from '../reference/neuron-backward';
import { expectClose } from '../test-support/compare';
import { testGpu } from '../test-support/gpu';
import { makeBatch, type EncodedExample } from './batches';
import { CpuOps } from '../engine/cpu-ops';
import { evaluateModel } from './evaluate';
import { withLayerWeights } from './finetune-command';
import { finetuneSpiking, learningRateAt, type FinetuneSettings } from './finetune-run';
import { GraphTrainer } from './graph-trainer';
import { GpuOps } from '../engine/gpu-ops';
import { minimumTokens } from '../layers/graph';

const WORDS = ['good', 'great', 'fine', 'fun', 'bad', 'dull', 'awful', 'boring', 'the', 'a', 'film', 'plot', 'is', 'was', 'it', 'and'];

function tinyModel(options: { dim: number; filters: number; widths: number[]; vThreshold?: number; seed: number }): LoadedModel {
  const { config, weights } = makeRandomTextCnn({ vocabulary: WORDS, classes: ['negative', 'positive'], ...options });
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

const encode = (model: LoadedModel, text: string) => model.vocabulary.encode(tokenize(text, model.config.tokenizer)).ids;

describe('spiking TextCNN fine-tuning', () => {
  it('one step on the GPU equals the CPU reference: loss, correct count, gradients and updated weights', async () => {
    const model = tinyModel({ dim: 6, filters: 4, widths: [2, 3], seed: 3 });
    const minLength = minimumTokens(model.spec);
    const examples: EncodedExample[] = ['good film and fun plot', 'awful', 'the plot was dull unknownword boring'].map((text, i) => ({ ids: encode(model, text), label: i % 2 }));
    const batch = makeBatch(examples, minLength, 16);
    const settings = { learningRate: 1e-3, weightDecay: 1e-2, surrogate: DEFAULT_SURROGATE, detachReset: false };
    const cpuTrainer = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 3, 3, 16);
    const gpuOps = new GpuOps(await testGpu());
    try {
      const gpuTrainer = new GraphTrainer(gpuOps, model.spec, model.weights, model.probabilities, 3, 3, 16);
      const cpu = await cpuTrainer.trainStep(batch, 5, 11, settings);
      const gpu = await gpuTrainer.trainStep(batch, 5, 11, settings);
      expect(gpu.correct).toBe(cpu.correct);
      expect(gpu.loss).toBeCloseTo(cpu.loss, 5);
      const [cpuGrad, gpuGrad] = [await cpuTrainer.gradientsByName(), await gpuTrainer.gradientsByName()];
      expect([...cpuGrad.keys()].sort()).toEqual(['conv.w2', 'conv.w3', 'fc.weight']);
      // Gradients reached both layers: the surrogate carried them back through three IF layers.
      for (const name of ['conv.w2', 'conv.w3', 'fc.weight']) {
        expect(cpuGrad.get(name)!.some((g) => g !== 0)).toBe(true);
        expectClose(gpuGrad.get(name)!, cpuGrad.get(name)!, 1e-4, 1e-6);
      }
      const [cpuAfter, gpuAfter] = [await cpuTrainer.weights(), await gpuTrainer.weights()];
      for (const name of ['conv.w2', 'conv.w3', 'fc.weight']) expectClose(gpuAfter.get(name)!, cpuAfter.get(name)!, 1e-5, 1e-6);
      // The step moved the weights (AdamW's first step moves each by about lr).
      const before = model.weights.get('fc.weight')!;
      expect(Math.max(...cpuAfter.get('fc.weight')!.map((w, i) => Math.abs(w - before[i])))).toBeGreaterThan(5e-4);
    } finally {
      gpuOps.dispose();
    }
  });

  it('its forward pass is the inference engine: the same seed gives the same output spike counts', async () => {
    const model = tinyModel({ dim: 6, filters: 6, widths: [2, 3], vThreshold: 0.5, seed: 5 });
    const minLength = minimumTokens(model.spec);
    const texts = ['good film', 'the plot was dull and boring', 'it is a fine fun film and the plot is great'];
    const ids = texts.map((text) => encode(model, text));
    const numSteps = 6;
    const trainer = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, numSteps, 3, 32);
    const rates = await trainer.outputRates(makeBatch(ids.map((i) => ({ ids: i, label: 0 })), minLength, 32), 9);
    const engine = new CpuBackend('test');
    const { raws } = await engine.run(model, prepareBatch(ids, minLength), [{ mode: 'snn', numSteps, encoding: 'rate', seed: 9, maxChunkPositions: 1000 }]);
    expect(raws[0].scores.some((count) => count > 0)).toBe(true);
    expectClose(Float32Array.from(rates, (rate) => rate * numSteps), raws[0].scores, 1e-6, 1e-5);
  });

  it('training draws each sample from its own random stream: the same sentence twice sees different spikes', async () => {
    const model = tinyModel({ dim: 6, filters: 6, widths: [2, 3], vThreshold: 0.5, seed: 5 });
    const minLength = minimumTokens(model.spec);
    const ids = encode(model, 'it is a fine fun film and the plot is great');
    const trainer = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 16, 2, 32);
    const batch = makeBatch([{ ids, label: 0 }, { ids, label: 0 }], minLength, 32);
    const shared = await trainer.outputRates(batch, 3);
    expect([...shared.subarray(0, 2)]).toEqual([...shared.subarray(2, 4)]);
    const own = await trainer.outputRates(batch, 3, 'per-sample');
    expect([...own.subarray(0, 2)]).not.toEqual([...own.subarray(2, 4)]);
  });

  it('learns a separable task: the loss falls and held-out SNN accuracy (through the engine) is well above chance', async () => {
    // Positive words (the first four) lean up on components 0–3 and down on 4–7, negative words the
    // reverse, the others are neutral; the weights are random, so the untrained network is at chance.
    const { config, weights: stored } = makeRandomTextCnn({ vocabulary: WORDS, classes: ['negative', 'positive'], dim: 8, filters: 16, widths: [2, 3], vThreshold: 1, weightScale: 1, seed: 2 });
    const embedding = stored.get('embedding') as Float32Array;
    WORDS.forEach((_, row) => {
      for (let d = 0; d < 8; d++) {
        const lean = row < 4 ? (d < 4 ? 1 : -1) : row < 8 ? (d < 4 ? -1 : 1) : 0;
        embedding[row * 8 + d] = lean + 0.3 * embedding[row * 8 + d];
      }
    });
    Object.assign(config.network.encoder, embeddingStatistics(embedding));
    for (const layer of config.network.layers) if (layer.kind === 'neuron') layer.vInitFraction = 0.5;
    const serialized = serializeModel(config, stored);
    const model = parseModel(serialized.configText, serialized.weightBytes);
    let state = 12345;
    const next = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    // Three to seven neutral words and one or two words of the sentence's class.
    const sentence = (): Example => {
      const label = next(2);
      const words = Array.from({ length: 3 + next(5) }, () => WORDS[8 + next(8)]);
      for (let k = 0; k <= next(2); k++) words.splice(next(words.length + 1), 0, WORDS[(label === 1 ? 0 : 4) + next(4)]);
      return { text: words.join(' '), label };
    };
    const train = Array.from({ length: 192 }, sentence).map((e) => ({ ids: encode(model, e.text), label: e.label }));
    const held = Array.from({ length: 96 }, sentence);
    const ctx = await testGpu();
    const ops = new GpuOps(ctx);
    const engine = new GpuBackend(ctx);
    const numSteps = 8;
    const evaluate = async (candidate: Map<string, Float32Array>) => {
      const evaluation = await evaluateModel({ model: withLayerWeights(model, candidate), examples: held, backend: engine, stepsSweep: [numSteps], encoding: 'rate', seed: 1, dataset: 'synthetic' });
      return { snnAccuracy: evaluation.snn[0].accuracy, annAccuracy: evaluation.ann.accuracy };
    };
    const settings: FinetuneSettings = { seed: 1, epochs: 6, batchSize: 16, numSteps, maxTokens: 16, learningRate: 3e-2, weightDecay: 0, surrogate: DEFAULT_SURROGATE, detachReset: false };
    const log: string[] = [];
    try {
      const result = await finetuneSpiking(ops, model, train, settings, evaluate, (line) => log.push(line));
      const history = result.history;
      expect(history.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(result.steps).toBe(6 * 12);
      expect(history[0].devAccuracy).toBeLessThan(0.65);
      expect(history[6].trainLoss!).toBeLessThan(history[1].trainLoss! - 0.1);
      expect(history[result.bestEpoch].devAccuracy).toBeGreaterThan(0.8);
      expect(history[result.bestEpoch].devAccuracy).toBe(Math.max(...history.map((e) => e.devAccuracy)));
      expect(log.some((line) => /epoch 6\/6 +batch 12\/12 +loss .*train acc .*s\/batch .*left/.test(line))).toBe(true);
      // The returned weights are the kept epoch's: evaluated again, they score its dev accuracy.
      expect((await evaluate(result.weights)).snnAccuracy).toBe(history[result.bestEpoch].devAccuracy);
    } finally {
      ops.dispose();
    }
  });

  it('keeps the converted weights when no epoch beats them on dev (epoch 0 is a candidate)', async () => {
    const model = tinyModel({ dim: 4, filters: 3, widths: [2], seed: 8 });
    const train = ['good film', 'bad plot', 'fun', 'dull it was'].map((text, i) => ({ ids: encode(model, text), label: i % 2 }));
    let calls = 0;
    const evaluate = async () => ({ snnAccuracy: calls++ === 0 ? 0.9 : 0.6, annAccuracy: 0.5 });
    const settings: FinetuneSettings = { seed: 1, epochs: 2, batchSize: 2, numSteps: 2, maxTokens: 8, learningRate: 1e-2, weightDecay: 0, surrogate: { kind: 'piecewise-linear' }, detachReset: false };
    const result = await finetuneSpiking(new CpuOps(), model, train, settings, evaluate);
    expect(result.bestEpoch).toBe(0);
    expect([...result.weights.keys()].sort()).toEqual(['conv.w2', 'fc.weight']);
    for (const [name, tensor] of result.weights) expect(tensor).toEqual(model.weights.get(name));
    expect(result.history).toHaveLength(3);
    // keep: 'last' writes the last epoch's weights whatever dev says.
    calls = 0;
    const last = await finetuneSpiking(new CpuOps(), model, train, { ...settings, keep: 'last' }, evaluate);
    expect(last.bestEpoch).toBe(2);
    expect([...last.weights.values()].some((tensor, i) => !tensor.every((x, j) => x === [...model.weights.values()][i]?.[j]))).toBe(true);
  });
});

describe('the learning rate of a training run', () => {
  it('is constant by default and, on a cosine schedule, falls from its value to 0 over the steps', () => {
    expect(learningRateAt({ learningRate: 0.003 }, 50, 100)).toBe(0.003);
    const cosine = { learningRate: 0.003, schedule: 'cosine' as const };
    expect(learningRateAt(cosine, 0, 100)).toBe(0.003);
    expect(learningRateAt(cosine, 50, 100)).toBeCloseTo(0.0015, 12);
    expect(learningRateAt(cosine, 99, 100)).toBeGreaterThan(0);
    expect(learningRateAt(cosine, 99, 100)).toBeLessThan(0.003 * 0.001);
  });
});
