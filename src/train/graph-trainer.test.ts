/**
 * The generic trainer on networks the fixed TextCNN never had: two convolution + neuron stages
 * before the pool. A step on the GPU equals the CPU reference, and training lowers the loss.
 */
import { describe, expect, it } from 'vitest';
import { parseModel, serializeModel, type LoadedModel, type ModelConfig } from '../model/format';
import { embeddingStatistics } from '../model/encoding';
import type { LayerSpec, NeuronLayerSpec } from '../model/spec';
import { makeRandomTextCnn } from '../model/random-model';
import { randomUniformTensor } from '../model/random-tensor';
import { DEFAULT_SURROGATE } from '../reference/neuron-backward';
import { expectClose } from '../test-support/compare';
import { testGpu } from '../test-support/gpu';
import { makeBatch, type EncodedExample } from './batches';
import { CpuOps } from '../engine/cpu-ops';
import { checkTrainable, GraphTrainer } from './graph-trainer';
import { liteSnnLayers, liteSnnWeights } from './lite-snn';
import { lstmLayers, lstmWeights } from './lstm-baseline';
import { GpuOps } from '../engine/gpu-ops';
import { WasmOps } from '../engine/wasm-ops';

const WORDS = ['good', 'great', 'fine', 'fun', 'bad', 'dull', 'awful', 'boring', 'the', 'a', 'film', 'plot', 'is', 'was', 'it', 'and'];
const DIM = 8;
const FILTERS = 8;

function neuron(name: string, vThreshold: number): NeuronLayerSpec {
  return { kind: 'neuron', name, model: 'IF', reset: 'soft', vThreshold: [vThreshold], beta: 1, vReset: 0, vInitFraction: 0.5, levels: 2, ann: { kind: 'relu' } };
}

/** conv(2) → IF → conv(2) → IF → avg pool → linear → IF, on an embedding where the first four words lean one way and the next four the other. */
function stackedModel(): LoadedModel {
  const base = makeRandomTextCnn({ vocabulary: WORDS, dim: DIM, widths: [2], filters: FILTERS, classes: ['negative', 'positive'], seed: 4, minLength: 3 });
  const embedding = base.weights.get('embedding') as Float32Array;
  WORDS.forEach((_, row) => {
    for (let d = 0; d < DIM; d++) {
      const lean = row < 4 ? (d < DIM / 2 ? 1 : -1) : row < 8 ? (d < DIM / 2 ? -1 : 1) : 0;
      embedding[row * DIM + d] = lean + 0.3 * embedding[row * DIM + d];
    }
  });
  const layers: LayerSpec[] = [
    { kind: 'conv', name: 'conv1', inChannels: DIM, widths: [2], filters: FILTERS, bias: false },
    neuron('spike1', 0.5),
    { kind: 'conv', name: 'conv2', inChannels: FILTERS, widths: [2], filters: FILTERS, bias: false },
    neuron('spike2', 0.5),
    { kind: 'pool', name: 'pool', mode: 'avg' },
    { kind: 'linear', name: 'fc', inFeatures: FILTERS, outFeatures: 2, bias: false },
    neuron('out', 0.25),
  ];
  const weights = new Map<string, Float32Array>([['embedding', embedding]]);
  const uniform = (name: string, count: number, fanIn: number) => randomUniformTensor(4, name, count, -Math.sqrt(3 / fanIn), Math.sqrt(3 / fanIn));
  weights.set('conv1.w2', uniform('conv1.w2', FILTERS * 2 * DIM, 2 * DIM));
  weights.set('conv2.w2', uniform('conv2.w2', FILTERS * 2 * FILTERS, FILTERS).map((w) => 2 * w));
  weights.set('fc.weight', uniform('fc.weight', 2 * FILTERS, FILTERS));
  const config: ModelConfig = {
    ...base.config,
    network: { ...base.config.network, encoder: { ...base.config.network.encoder, ...embeddingStatistics(embedding), minLength: 3 }, layers },
  };
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

/** Sentences of three to six neutral words and one or two of the class's words. */
function sentences(m: LoadedModel, count: number, seed: number): EncodedExample[] {
  let state = seed;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  return Array.from({ length: count }, () => {
    const label = next(2);
    const words = Array.from({ length: 3 + next(4) }, () => WORDS[8 + next(8)]);
    for (let k = 0; k <= next(2); k++) words.splice(next(words.length + 1), 0, WORDS[(label === 1 ? 0 : 4) + next(4)]);
    return { ids: m.vocabulary.encode(words).ids, label };
  });
}

const settings = { learningRate: 2e-2, weightDecay: 0, surrogate: DEFAULT_SURROGATE, detachReset: false };

/** Trains `epochs` passes over `train` in batches of 16; the mean loss of every step. */
async function trainEpochs<T>(trainer: GraphTrainer<T>, train: EncodedExample[], epochs: number): Promise<number[]> {
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let start = 0; start < train.length; start += 16) {
      const chunk = train.slice(start, start + 16);
      const { loss } = await trainer.trainStep(makeBatch(chunk, 3, 12), losses.length, 5, settings);
      losses.push(loss / chunk.length);
    }
  }
  return losses;
}

/** One training step of `model` on the CPU and on the GPU from the same start; `check` compares them. */
async function oneStepOnBoth(
  model: LoadedModel,
  seed: number,
  check: (cpu: GraphTrainer<unknown>, gpu: GraphTrainer<unknown>, a: { loss: number; correct: number }, b: { loss: number; correct: number }) => Promise<void>,
): Promise<void> {
  const batch = makeBatch(sentences(model, 4, seed), 3, 12);
  const cpu = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 6, 4, 12);
  const ops = new GpuOps(await testGpu());
  try {
    const gpu = new GraphTrainer(ops, model.spec, model.weights, model.probabilities, 6, 4, 12);
    const a = await cpu.trainStep(batch, 0, 3, settings);
    const b = await gpu.trainStep(batch, 0, 3, settings);
    await check(cpu as GraphTrainer<unknown>, gpu as GraphTrainer<unknown>, a, b);
  } finally {
    ops.dispose();
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('training a stacked network (conv → IF → conv → IF → pool → linear → IF) by BPTT', () => {
  const model = stackedModel();

  it('one step on the GPU equals the CPU reference: loss, gradients of all three weight tensors, updated weights', async () => {
    await oneStepOnBoth(model, 7, async (cpu, gpu, a, b) => {
      expect(b.correct).toBe(a.correct);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      const [cpuGrad, gpuGrad] = [await cpu.gradientsByName(), await gpu.gradientsByName()];
      expect([...cpuGrad.keys()]).toEqual(['conv1.w2', 'conv2.w2', 'fc.weight']);
      for (const [name, grad] of cpuGrad) {
        // The gradient reached the first convolution through two IF layers and the second convolution's input.
        expect(grad.some((g) => g !== 0), name).toBe(true);
        expectClose(gpuGrad.get(name)!, grad, 1e-4, 1e-6);
      }
      const [cpuAfter, gpuAfter] = [await cpu.weights(), await gpu.weights()];
      for (const [name, weights] of cpuAfter) expectClose(gpuAfter.get(name)!, weights, 1e-5, 1e-6);
    });
  });

  it('learns: the loss of later steps is well under the first ones', async () => {
    const trainer = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 6, 16, 12);
    const losses = await trainEpochs(trainer, sentences(model, 96, 11), 4);
    expect(mean(losses.slice(-6))).toBeLessThan(mean(losses.slice(0, 6)) - 0.1);
  });

  it('refuses what it cannot train yet, naming the layer', () => {
    const branches = structuredClone(model.spec);
    branches.layers = [
      { kind: 'conv', name: 'a', inChannels: DIM, widths: [2], filters: 2, bias: false, inputs: ['input'] },
      { kind: 'conv', name: 'b', inChannels: DIM, widths: [2], filters: 2, bias: false, inputs: ['input'] },
      { kind: 'concat', name: 'ab', inputs: ['a', 'b'] },
      ...model.spec.layers.slice(3),
    ];
    (branches.layers[3] as NeuronLayerSpec).vThreshold = [0.5];
    branches.layers[5] = { ...(branches.layers[5] as { kind: 'linear' }), inFeatures: 4 } as LayerSpec;
    expect(() => checkTrainable(branches)).toThrow(/layer ab \(concat\) cannot be trained yet/);
    const bif = structuredClone(model.spec);
    (bif.layers[1] as NeuronLayerSpec).model = 'BIF';
    expect(() => checkTrainable(bif)).toThrow(/layer spike1 is BIF/);
  });
});

describe('PLIF: leaky neurons whose leak and threshold are learned, through the neuron table alone', () => {
  /** conv(2) → PLIF (one leak and threshold per channel) → avg pool → linear → PLIF (one for the layer). */
  function plifModel(): LoadedModel {
    const base = stackedModel();
    const plif = (name: string, channels: number, vThreshold: number): NeuronLayerSpec => ({
      ...neuron(name, vThreshold),
      model: 'PLIF',
      beta: channels > 1 ? Array.from({ length: channels }, () => 0.9) : 0.9,
      vThreshold: new Array<number>(channels).fill(vThreshold),
    });
    const layers: LayerSpec[] = [base.spec.layers[0], plif('spike1', FILTERS, 0.5), base.spec.layers[4], { ...(base.spec.layers[5] as LayerSpec) }, plif('out', 1, 0.25)];
    const weights = new Map([...base.weights].filter(([name]) => name !== 'conv2.w2'));
    weights.set('embedding', base.embeddings);
    const config: ModelConfig = { ...base.config, network: { ...base.config.network, layers } };
    const { configText, weightBytes } = serializeModel(config, weights);
    return parseModel(configText, weightBytes);
  }
  const model = plifModel();

  it('loads, runs and validates: one leak per channel in model.json', () => {
    expect(model.spec.layers[1]).toMatchObject({ model: 'PLIF', beta: new Array(FILTERS).fill(0.9) });
  });

  it('one step on the GPU equals the CPU reference, leaks and thresholds included', async () => {
    await oneStepOnBoth(model, 9, async (cpu, gpu, a, b) => {
      expect(b.loss).toBeCloseTo(a.loss, 5);
      const [cpuSpec, gpuSpec] = [await cpu.trainedSpec(), await gpu.trainedSpec()];
      for (const index of [1, 4]) {
        const [x, y] = [cpuSpec.layers[index] as NeuronLayerSpec, gpuSpec.layers[index] as NeuronLayerSpec];
        expectClose(Float32Array.from([x.beta].flat()), Float32Array.from([y.beta].flat()), 1e-5, 1e-6);
        expectClose(Float32Array.from(x.vThreshold), Float32Array.from(y.vThreshold), 1e-5, 1e-6);
      }
      // AdamW's first step moves every learned leak and threshold by about the learning rate.
      const moved = (cpuSpec.layers[1] as NeuronLayerSpec).vThreshold.map((theta) => Math.abs(theta - 0.5));
      expect(Math.min(...moved)).toBeGreaterThan(settings.learningRate / 2);
    });
  });

  it('learns a small task: the loss falls, and the leaks and thresholds move within their bounds', async () => {
    const trainer = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 6, 16, 12);
    const losses = await trainEpochs(trainer, sentences(model, 96, 13), 10);
    expect(mean(losses.slice(-6))).toBeLessThan(mean(losses.slice(0, 6)) - 0.1);
    const trained = (await trainer.trainedSpec()).layers[1] as NeuronLayerSpec;
    const betas = trained.beta as number[];
    expect(betas.some((beta) => Math.abs(beta - 0.9) > 0.01)).toBe(true);
    expect(betas.every((beta) => beta > 0 && beta <= 1)).toBe(true);
    expect(trained.vThreshold.every((theta) => theta > 0)).toBe(true);
  });
});

describe('LITE-SNN: leaky neurons over the words, trained directly with direct input', () => {
  /** conv(1) → PLIF over the words (per-channel β, θ) → avg pool → linear (bias): a non-spiking readout, or PLIF outputs, 3 per class. */
  function liteModel(readout: 'membrane' | 'spikes', depth = 1): LoadedModel {
    const base = stackedModel();
    const config = { dim: DIM - 1, hidden: FILTERS, classes: 2, population: readout === 'spikes' ? 3 : 1, beta: 0.95, vThreshold: 1, centre: 0.5, readout, depth };
    const layers = liteSnnLayers(config);
    const weights = liteSnnWeights(config, 3);
    weights.set('embedding', base.embeddings);
    const network = { ...base.config.network, encoder: { ...base.config.network.encoder, kind: 'direct' as const, minLength: 1 }, layers, readout: { ...base.config.network.readout, population: config.population } };
    const { configText, weightBytes } = serializeModel({ ...base.config, network, defaultEncoding: 'direct' }, weights);
    return parseModel(configText, weightBytes);
  }

  for (const readout of ['membrane', 'spikes'] as const) {
    it(`learns a small task with a ${readout} readout: the loss falls`, async () => {
      const model = liteModel(readout);
      const trainer = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 4, 16, 12, { mode: 'snn', rateScale: 5 });
      const losses = await trainEpochs(trainer, sentences(model, 96, 13), 10);
      expect(mean(losses.slice(-6))).toBeLessThan(mean(losses.slice(0, 6)) - 0.1);
    });
  }

  it('one step on the GPU and on the WebAssembly backend equals the CPU reference: weights, leaks, thresholds and a learned table', async () => {
    const model = liteModel('spikes');
    const batch = makeBatch(sentences(model, 4, 21), 1, 12);
    const options = { mode: 'snn' as const, rateScale: 5, table: { values: model.probabilities, learn: { low: 0, high: 1 } } };
    const cpu = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 4, 4, 12, options);
    const wasm = new GraphTrainer(new WasmOps(), model.spec, model.weights, model.probabilities, 4, 4, 12, options);
    const ops = new GpuOps(await testGpu());
    try {
      const gpu = new GraphTrainer(ops, model.spec, model.weights, model.probabilities, 4, 4, 12, options);
      const a = await cpu.trainStep(batch, 0, 3, settings);
      const cpuValues = await cpu.paramValues();
      expect([...cpuValues.keys()]).toEqual(['word_linear.weight', 'words.beta', 'words.vThreshold', 'fc.weight', 'fc.bias', 'output.beta', 'output.vThreshold', 'table']);
      const table = cpuValues.get('table')!;
      expect(table.some((p, i) => p !== model.probabilities[i])).toBe(true);
      for (const other of [gpu, wasm] as GraphTrainer<unknown>[]) {
        const b = await other.trainStep(batch, 0, 3, settings);
        expect(b.loss).toBeCloseTo(a.loss, 4);
        const values = await other.paramValues();
        for (const [name, value] of cpuValues) expectClose(values.get(name)!, value, 1e-4, 1e-5);
      }
    } finally {
      ops.dispose();
    }
  });

  it('two layers over the words: the second reads the first\'s spikes, and the gradient reaches the first', async () => {
    const model = liteModel('membrane', 2);
    expect(model.spec.layers.map((layer) => layer.name)).toEqual(['word_linear', 'words', 'word_linear2', 'words2', 'pool', 'fc']);
    const trainer = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 4, 16, 12, { mode: 'snn', rateScale: 5 });
    const losses = await trainEpochs(trainer, sentences(model, 96, 13), 10);
    expect(mean(losses.slice(-6))).toBeLessThan(mean(losses.slice(0, 6)) - 0.1);
    const grads = await trainer.gradientsByName();
    expect(grads.get('word_linear.w1')!.some((g) => g !== 0)).toBe(true);
  });

  it('refuses to learn the table of a rate-coded network', () => {
    const model = liteModel('membrane');
    const spec = { ...model.spec, encoder: { ...model.spec.encoder, kind: 'rate' as const } };
    expect(() => new GraphTrainer(new CpuOps(), spec, model.weights, model.probabilities, 4, 4, 12, { mode: 'snn', table: { values: model.probabilities, learn: { low: 0, high: 1 } } })).toThrow(/direct \(analog\) input only/);
  });
});

describe('the LSTM baseline: an ANN layer kind trained by the same trainer', () => {
  function lstmModel(): LoadedModel {
    const base = stackedModel();
    const config = { dim: DIM - 1, hidden: 8, classes: 2, centre: 0.5 };
    const weights = lstmWeights(config, 5);
    weights.set('embedding', base.embeddings);
    const network = { ...base.config.network, encoder: { ...base.config.network.encoder, kind: 'direct' as const, minLength: 1 }, layers: lstmLayers(config) };
    const { configText, weightBytes } = serializeModel({ ...base.config, network, defaultEncoding: 'direct', numSteps: 1 }, weights);
    return parseModel(configText, weightBytes);
  }
  const model = lstmModel();
  const options = { mode: 'ann' as const, table: { values: model.probabilities } };

  it('one step on the GPU equals the CPU reference: input and recurrent weights, biases', async () => {
    const batch = makeBatch(sentences(model, 4, 31), 1, 12);
    const cpu = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 1, 4, 12, options);
    const ops = new GpuOps(await testGpu());
    try {
      const gpu = new GraphTrainer(ops, model.spec, model.weights, model.probabilities, 1, 4, 12, options);
      const a = await cpu.trainStep(batch, 0, 3, settings);
      const b = await gpu.trainStep(batch, 0, 3, settings);
      expect(b.loss).toBeCloseTo(a.loss, 4);
      const [cpuGrad, gpuGrad] = [await cpu.gradientsByName(), await gpu.gradientsByName()];
      expect([...cpuGrad.keys()]).toEqual(['lstm.inputWeight', 'lstm.recurrentWeight', 'lstm.bias', 'fc.weight', 'fc.bias']);
      for (const [name, grad] of cpuGrad) {
        expect(grad.some((g) => g !== 0), name).toBe(true);
        expectClose(gpuGrad.get(name)!, grad, 1e-3, 1e-6);
      }
    } finally {
      ops.dispose();
    }
  });

  it('learns a small task: the loss falls', async () => {
    const trainer = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 1, 16, 12, options);
    const losses = await trainEpochs(trainer, sentences(model, 96, 17), 10);
    expect(mean(losses.slice(-6))).toBeLessThan(mean(losses.slice(0, 6)) - 0.1);
  });

  it('refuses BPTT through spikes: it is an ANN layer', () => {
    expect(() => checkTrainable(model.spec, 'snn')).toThrow(/lstm\) is an ANN layer/);
  });
});
