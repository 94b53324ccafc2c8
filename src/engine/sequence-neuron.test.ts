import { describe, expect, it } from 'vitest';
import { dyadic, runOn, SENTENCES, WORDS } from '../test-support/word-sequences';
import { parseModel, serializeModel, type LoadedModel } from '../model/format';
import type { LayerSpec, SequenceNeuronLayerSpec } from '../model/spec';
import { makeRandomTextCnn } from '../model/random-model';
import { expectExact } from '../test-support/compare';
import { GpuContext } from '../gpu/context';
import { nodeGpu } from '../gpu/node-gpu';
import { CpuBackend, GpuBackend } from './backends';
import { prepareBatch, UnsupportedNetworkError } from './batch';
import { networkGraph } from '../layers/graph';
import { sampleEnergy } from './energy-input';
import type { ExecuteOptions, RawOutput } from './executor';
import { WasmOps } from './wasm-ops';

const HIDDEN = 10;

/**
 * LITE-SNN's shape: `encoder (binary p, direct) → conv (width 1) → PLIF over the words → avg pool →
 * fc → PLIF`. Leaks of ½ or 1 and dyadic weights and thresholds keep every sum exact in float32, so
 * every backend must give the same bits.
 */
function sequenceModel(): LoadedModel {
  const { config, weights } = makeRandomTextCnn({ vocabulary: WORDS, dim: 8, widths: [1], filters: HIDDEN, classes: ['a', 'b'], seed: 6, neuronModel: 'IF', encoding: 'direct', minLength: 1 });
  const [conv] = config.network.layers;
  const neuron = { model: 'PLIF' as const, reset: 'soft' as const, vReset: 0, vInitFraction: 0, levels: 2, ann: { kind: 'relu' as const } };
  const words: SequenceNeuronLayerSpec = {
    kind: 'sequence-neuron',
    name: 'words',
    ...neuron,
    vThreshold: Array.from({ length: HIDDEN }, (_, c) => 0.5 + 0.125 * (c % 4)),
    beta: Array.from({ length: HIDDEN }, (_, c) => (c % 2 ? 0.5 : 1)),
  };
  const output = { kind: 'neuron', name: 'output', ...neuron, vThreshold: [4], beta: 0.5 } as LayerSpec;
  config.network.layers = [conv, words, { kind: 'pool', name: 'pool', mode: 'sum' }, { kind: 'linear', name: 'fc', inFeatures: HIDDEN, outFeatures: 2, bias: false }, output];
  config.network.encoder.binarySigmas = 0;
  weights.set('conv.w1', dyadic(5, 'conv', HIDDEN * 8, 1.5));
  weights.set('fc.weight', dyadic(5, 'fc', 2 * HIDDEN, 0.5).map((w) => w + 0.25));
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

const run = (overrides: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  mode: 'snn',
  numSteps: 4,
  encoding: 'direct',
  seed: 3,
  maxChunkPositions: 1000,
  record: { spikeLayers: ['words'], membrane: [{ layer: 'words', neurons: [0, 3] }] },
  ...overrides,
});

describe('a sequence-neuron layer (neurons over the words) in the engine', () => {
  const model = sequenceModel();
  const batch = prepareBatch(SENTENCES, 1);
  const index = model.spec.layers.findIndex((layer) => layer.name === 'words');

  it('GPU, WebAssembly and reference give the same bits, whole or in chunks of positions (the membrane carried between chunks)', async () => {
    const gpu = new GpuBackend(await GpuContext.create(await nodeGpu()));
    const cpu = new CpuBackend('test');
    const wasm = new CpuBackend('wasm', () => new WasmOps());
    const runs = [run(), run({ maxChunkPositions: 3 }), run({ maxChunkPositions: 1 }), run({ encoding: 'rate' }), run({ encoding: 'rate', maxChunkPositions: 2 })];
    const [whole, ...others] = await runOn(cpu, model, batch, runs);
    expect(whole.scores.some((x) => x > 0) && whole.scores.some((x) => x < 4)).toBe(true);
    const all = [...others.slice(0, 2), ...(await runOn(gpu, model, batch, runs)).slice(0, 3), ...(await runOn(wasm, model, batch, runs)).slice(0, 3)];
    for (const raw of all) {
      expectExact(raw.scores, whole.scores);
      expectExact(raw.layerEvents.get(index)!, whole.layerEvents.get(index)!);
      for (let b = 0; b < batch.batch; b++) expectExact(raw.spikeTrains.get('words')!.samples[b], whole.spikeTrains.get('words')!.samples[b]);
      raw.membrane.forEach((trace, i) => trace.samples.forEach((sample, b) => expectExact(sample, whole.membrane[i].samples[b])));
    }
    // Rate input, chunked or not, on every backend.
    const rate = [others[3], ...(await runOn(gpu, model, batch, runs)).slice(3), ...(await runOn(wasm, model, batch, runs)).slice(3)];
    for (const raw of rate) expectExact(raw.scores, others[2].scores);
    gpu.dispose();
  });

  it('the membrane carries from word to word: a word changes the spikes of the words after it, never of those before', async () => {
    const cpu = new CpuBackend('test');
    const base = SENTENCES[0];
    const changed = Int32Array.from(base, (id, p) => (p === 4 ? 19 : id));
    const [a] = await runOn(cpu, model, prepareBatch([base], 1), [run()]);
    const [b] = await runOn(cpu, model, prepareBatch([changed], 1), [run()]);
    const train = (raw: RawOutput, p: number) => {
      const t = raw.spikeTrains.get('words')!;
      return Array.from({ length: raw.numSteps }, (_, s) => [...t.samples[0].subarray((s * t.positions + p) * HIDDEN, (s * t.positions + p + 1) * HIDDEN)]).flat();
    };
    for (let p = 0; p < 4; p++) expect(train(b, p)).toEqual(train(a, p));
    let later = false;
    for (let p = 5; p < base.length; p++) later ||= JSON.stringify(train(b, p)) !== JSON.stringify(train(a, p));
    expect(later).toBe(true);
    // A membrane trace follows its channel through the whole sentence, one window of T steps per word.
    const trace = a.membrane.find((m) => m.neuron === 3)!.samples[0];
    expect(trace.length).toBe(base.length * 4);
    expect(trace.subarray(4 * (base.length - 1)).some((h) => h !== 0)).toBe(true);
  });

  it('a sample gives the same spikes alone as in a batch; positions past its length are silent', async () => {
    const cpu = new CpuBackend('test');
    const [together] = await runOn(cpu, model, batch, [run()]);
    const train = together.spikeTrains.get('words')!;
    for (const [b, ids] of SENTENCES.entries()) {
      const [alone] = await runOn(cpu, model, prepareBatch([ids], 1), [run()]);
      expectExact(alone.scores, together.scores.subarray(2 * b, 2 * b + 2));
      for (let t = 0; t < 4; t++) {
        expect(train.samples[b].subarray((t * train.positions + ids.length) * HIDDEN, (t + 1) * train.positions * HIDDEN).every((s) => s === 0)).toBe(true);
      }
    }
  });

  it('energy: its neurons are one per word and channel, its events counted per position', async () => {
    const cpu = new CpuBackend('test');
    const [raw] = await runOn(cpu, model, batch, [run()]);
    const length = batch.lengths[0];
    const report = sampleEnergy(model.spec, raw, 0, length, { numSteps: 4, encoding: 'direct', seed: 3 });
    const row = report.layers[index];
    const events = raw.layerEvents.get(index)!;
    const positions = events.length / batch.batch;
    const total = [...events.subarray(0, length)].reduce((sum, x) => sum + x, 0);
    expect(positions).toBeGreaterThanOrEqual(length);
    expect(row.events).toBe(total);
    expect(row.neurons).toBe(length * HIDDEN);
    expect(report.layers[index + 1].snnAcs).toBe(total);
  });

  it('a non-spiking readout: the scores are the last (linear) layer\'s currents summed over T, the same on every backend', async () => {
    const spec = structuredClone(model.config);
    spec.network.layers = spec.network.layers.slice(0, -1);
    const weights = new Map<string, Float32Array>([...model.weights, ['embedding', model.embeddings]]);
    const { configText, weightBytes } = serializeModel(spec, weights);
    const linear = parseModel(configText, weightBytes);
    const gpu = new GpuBackend(await GpuContext.create(await nodeGpu()));
    const [cpu] = await runOn(new CpuBackend('test'), linear, batch, [run()]);
    const [wasm] = await runOn(new CpuBackend('wasm', () => new WasmOps()), linear, batch, [run()]);
    const [onGpu] = await runOn(gpu, linear, batch, [run()]);
    for (let b = 0; b < batch.batch; b++) {
      for (let k = 0; k < 2; k++) {
        let sum = 0;
        for (let t = 0; t < 4; t++) sum += cpu.outputTrain[(t * batch.batch + b) * 2 + k];
        expect(cpu.scores[b * 2 + k]).toBeCloseTo(sum, 4);
      }
    }
    expect(new Set(cpu.scores).size).toBeGreaterThan(2);
    expectExact(wasm.scores, cpu.scores);
    expectExact(onGpu.scores, cpu.scores);
    gpu.dispose();
  });

  it('needs positions that cover the same tokens: a convolution of one width before it', () => {
    const spec = structuredClone(model.spec);
    const conv = spec.layers[0];
    if (conv.kind === 'conv') conv.widths = [1, 2];
    expect(() => networkGraph(spec)).toThrow(UnsupportedNetworkError);
  });
});
