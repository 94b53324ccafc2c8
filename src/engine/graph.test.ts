/**
 * Networks as graphs: stacked positional layers, parallel branches merged by concatenation, sums,
 * on the CPU reference and the GPU, fused and per step, chunked and whole; and the graph rules of
 * model.json.
 */
import { describe, expect, it } from 'vitest';
import { GpuContext } from '../gpu/context';
import { nodeGpu } from '../gpu/node-gpu';
import { layerShapes } from '../layers/graph';
import { validateNetwork } from '../model/config-validation';
import { DEFAULT_ENERGY_SETTINGS } from '../model/energy';
import { parseModel, serializeModel, type LoadedModel, type ModelConfig } from '../model/format';
import { ModelFormatError } from '../model/safetensors';
import type { LayerSpec, NeuronLayerSpec } from '../model/spec';
import { makeRandomTextCnn, randomUniformTensor } from '../model/random-model';
import { expectExact } from '../test-support/compare';
import { CpuBackend, GpuBackend, type Backend } from './backends';
import { prepareBatch, type PreparedBatch } from './batch';
import { sampleEnergy } from './energy-input';
import type { ExecuteOptions, RawOutput } from './executor';

const WORDS = 'the a film is good bad great boring and but not very fun dull story acting movie plot love hate it'.split(' ');
const DIM = 10;
const FILTERS = 6;

function neuron(name: string, vThreshold = 0.4, ann: NeuronLayerSpec['ann'] = { kind: 'relu' }): NeuronLayerSpec {
  return { kind: 'neuron', name, model: 'IF', reset: 'soft', vThreshold: [vThreshold], beta: 1, vReset: 0, vInitFraction: 0, levels: 2, ann };
}

/** A model of `layers` with deterministic random weights (`tensors`: name and element count). */
function build(layers: LayerSpec[], tensors: [string, number][], minLength: number): LoadedModel {
  const base = makeRandomTextCnn({ vocabulary: WORDS, dim: DIM, widths: [3], filters: FILTERS, classes: ['negative', 'positive'], seed: 7, minLength });
  const weights = new Map([...base.weights].filter(([name]) => name === 'embedding'));
  for (const [name, count] of tensors) weights.set(name, randomUniformTensor(7, name, count, name.endsWith('.bias') ? -0.1 : -0.6, name.endsWith('.bias') ? 0.1 : 0.6));
  const config: ModelConfig = { ...base.config, network: { ...base.config.network, encoder: { ...base.config.network.encoder, minLength }, layers } };
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

/** conv(3) → IF → conv(2) → IF → avg pool → linear → IF: two positional stages before the pool. */
function stacked(): LoadedModel {
  const layers: LayerSpec[] = [
    { kind: 'conv', name: 'conv1', inChannels: DIM, widths: [3], filters: FILTERS, bias: false },
    neuron('spike1'),
    { kind: 'conv', name: 'conv2', inChannels: FILTERS, widths: [2], filters: FILTERS, bias: true },
    neuron('spike2'),
    { kind: 'pool', name: 'pool', mode: 'avg' },
    { kind: 'linear', name: 'fc', inFeatures: FILTERS, outFeatures: 2, bias: false },
    neuron('out', 0.2, { kind: 'identity' }),
  ];
  return build(layers, [['conv1.w3', FILTERS * 3 * DIM], ['conv2.w2', FILTERS * 2 * FILTERS], ['conv2.b2', FILTERS], ['fc.weight', 2 * FILTERS]], 4);
}

function ids(length: number, offset: number): Int32Array {
  return Int32Array.from({ length }, (_, j) => ((j * 7 + offset) % (WORDS.length + 2)) - 2);
}

const run = (overrides: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  mode: 'snn',
  numSteps: 12,
  encoding: 'rate',
  seed: 5,
  maxChunkPositions: 1000,
  record: { spikeLayers: ['spike1', 'spike2', 'out'], membrane: [{ layer: 'spike2', neurons: [3, 20] }] },
  ...overrides,
});

let gpuBackend: Promise<GpuBackend> | null = null;
const gpu = () => (gpuBackend ??= (async () => new GpuBackend(await GpuContext.create(await nodeGpu())))());
const cpu = new CpuBackend('test');

async function runOne(backend: Backend, m: LoadedModel, batch: PreparedBatch, options: ExecuteOptions): Promise<RawOutput> {
  return (await backend.run(m, batch, [options])).raws[0];
}

function expectSameRun(a: RawOutput, b: RawOutput): void {
  expectExact(a.scores, b.scores);
  expectExact(a.outputTrain, b.outputTrain);
  expectExact(a.inputEvents, b.inputEvents);
  expect([...a.layerEvents.keys()]).toEqual([...b.layerEvents.keys()]);
  for (const [index, events] of a.layerEvents) expectExact(events, b.layerEvents.get(index)!);
  for (const [name, train] of a.spikeTrains) train.samples.forEach((sample, s) => expectExact(sample, b.spikeTrains.get(name)!.samples[s]));
  a.membrane.forEach((trace, i) => trace.samples.forEach((sample, s) => expectExact(sample, b.membrane[i].samples[s])));
}

describe('stacked positional layers: conv → IF → conv → IF → pool', () => {
  const m = stacked();
  const batch = prepareBatch([ids(9, 1), ids(4, 2), ids(17, 3)], 4);

  it('each value has its own positions: the second stage covers 4 tokens', () => {
    const shapes = layerShapes(m.spec, 17);
    expect(shapes.map((s) => s.positions)).toEqual([15, 15, 14, 14, 1, 1, 1]);
    expect(shapes[3].spans.every((span) => span === 4)).toBe(true);
  });

  it('GPU equals the CPU reference: scores, events, spike trains, membrane traces', async () => {
    const onCpu = await runOne(cpu, m, batch, run());
    const onGpu = await runOne(await gpu(), m, batch, run());
    expectSameRun(onGpu, onCpu);
    expect(onCpu.layerEvents.get(3)!.length).toBe(3 * 14);
    // Something spikes in both stages, and a masked position never does.
    expect(onCpu.layerEvents.get(1)!.some((events) => events > 0)).toBe(true);
    expect(onCpu.layerEvents.get(3)!.some((events) => events > 0)).toBe(true);
    expect(onCpu.layerEvents.get(3)![14 + 1]).toBe(0); // sample 1: 4 tokens → 1 valid position
  });

  it('chunks of 3 positions give exactly the unchunked result, on both backends', async () => {
    for (const backend of [cpu, await gpu()]) {
      const whole = await runOne(backend, m, batch, run());
      const chunked = await runOne(backend, m, batch, run({ maxChunkPositions: 3 }));
      expectSameRun(chunked, whole);
    }
  });

  it('direct input computed once (static) equals per-step dispatch and the CPU', async () => {
    const fused = await runOne(await gpu(), m, batch, run({ encoding: 'direct' }));
    const perStep = await runOne(await gpu(), m, batch, run({ encoding: 'direct', stepMode: 'per-step' }));
    const onCpu = await runOne(cpu, m, batch, run({ encoding: 'direct' }));
    expectExact(fused.scores, perStep.scores);
    expectSameRun(fused, onCpu);
  });

  it('the ANN twin runs the same graph; energy counts both stages from their measured spikes', async () => {
    const [snnRaw, annRaw] = (await cpu.run(m, batch, [run(), run({ mode: 'ann' })])).raws;
    const [gpuSnn, gpuAnn] = (await (await gpu()).run(m, batch, [run(), run({ mode: 'ann' })])).raws;
    expectExact(gpuAnn.scores, annRaw.scores);
    expectSameRun(gpuSnn, snnRaw);
    const report = sampleEnergy(m.spec, snnRaw, 0, batch.lengths[0], { numSteps: 12, encoding: 'rate', seed: 5, energy: DEFAULT_ENERGY_SETTINGS });
    const conv2 = report.layers[2];
    // conv2's input is spike1's spikes: each costs its fan-out; its ANN MACs are positions · width · in · filters.
    expect(conv2.annMacs).toBe((9 - 3) * 2 * FILTERS * FILTERS);
    expect(conv2.snnAcs).toBeGreaterThan(0);
    expect(report.layers[3].events).toBe(Array.from(snnRaw.layerEvents.get(3)!.subarray(0, 6)).reduce((a, b) => a + b, 0));
  });
});

describe('parallel branches merged by concatenation', () => {
  const widths = [2, 4];
  const fused = (() => {
    const { config, weights } = makeRandomTextCnn({ vocabulary: WORDS, dim: DIM, widths, filters: FILTERS, classes: ['negative', 'positive'], seed: 9, vThreshold: 0.4 });
    const { configText, weightBytes } = serializeModel(config, weights);
    return { model: parseModel(configText, weightBytes), config, weights };
  })();
  // The same network with each width as its own branch: conv(2) → IF and conv(4) → IF, concatenated.
  const branches = (() => {
    const { config, weights } = fused;
    const [conv, spike, ...rest] = config.network.layers;
    const layers: LayerSpec[] = [
      ...widths.flatMap((width): LayerSpec[] => [
        { kind: 'conv', name: `conv${width}`, inChannels: DIM, widths: [width], filters: FILTERS, bias: false, inputs: ['input'] },
        { ...(spike as NeuronLayerSpec), name: `spike${width}` },
      ]),
      { kind: 'concat', name: 'conv_spike', inputs: widths.map((width) => `spike${width}`) },
      ...rest,
    ];
    expect(conv.kind).toBe('conv');
    const renamed = new Map([...weights].map(([name, tensor]) => [name.replace(/^conv\.w(\d+)$/, 'conv$1.w$1'), tensor]));
    const { configText, weightBytes } = serializeModel({ ...config, network: { ...config.network, layers } }, renamed);
    return parseModel(configText, weightBytes);
  })();
  const batch = prepareBatch([ids(9, 1), ids(4, 2), ids(13, 3)], 4);

  it('gives exactly the multi-width convolution: scores, output train, and the branches sum to its events', async () => {
    for (const backend of [cpu, await gpu()]) {
      const options = run({ record: {} });
      const one = await runOne(backend, fused.model, batch, options);
      const split = await runOne(backend, branches, batch, options);
      expectExact(split.scores, one.scores);
      expectExact(split.outputTrain, one.outputTrain);
      // Branch events per sample: the fused layer's, split by width (positions 12 and 10 for 13 tokens).
      const fusedTotal = Array.from(one.layerEvents.get(1)!).reduce((a, b) => a + b, 0);
      const branchTotal = [1, 3].flatMap((index) => Array.from(split.layerEvents.get(index)!)).reduce((a, b) => a + b, 0);
      expect(branchTotal).toBe(fusedTotal);
      expect(fusedTotal).toBeGreaterThan(0);
    }
  });

  it('costs the same energy as the multi-width convolution', async () => {
    const options = run({ record: {} });
    const one = await runOne(cpu, fused.model, batch, options);
    const split = await runOne(cpu, branches, batch, options);
    for (let b = 0; b < batch.batch; b++) {
      const runOptions = { numSteps: 12, encoding: 'rate' as const, seed: 5 };
      const a = sampleEnergy(fused.model.spec, one, b, batch.lengths[b], runOptions);
      const c = sampleEnergy(branches.spec, split, b, batch.lengths[b], runOptions);
      expect(c.totals.annMacs).toBe(a.totals.annMacs);
      expect(c.totals.snnAcs).toBeCloseTo(a.totals.snnAcs, 6);
      expect(c.totals.annAcs).toBe(a.totals.annAcs);
    }
  });

  it('chunks exactly with branches of different widths', async () => {
    for (const backend of [cpu, await gpu()]) {
      const whole = await runOne(backend, branches, batch, run({ record: {} }));
      const chunked = await runOne(backend, branches, batch, run({ record: {}, maxChunkPositions: 4 }));
      expectSameRun(chunked, whole);
    }
  });
});

describe('sums of layers', () => {
  // spike → (itself + itself) → pool → fc equals spike → pool → fc with doubled weights.
  function model(sum: boolean): LoadedModel {
    const layers: LayerSpec[] = [
      { kind: 'conv', name: 'conv', inChannels: DIM, widths: [3], filters: FILTERS, bias: false },
      neuron('spike'),
      ...(sum ? [{ kind: 'add', name: 'twice', inputs: ['spike', 'spike'] } as LayerSpec] : []),
      { kind: 'pool', name: 'pool', mode: 'sum' },
      { kind: 'linear', name: 'fc', inFeatures: FILTERS, outFeatures: 2, bias: false },
      neuron('out', 0.2, { kind: 'identity' }),
    ];
    const m = build(layers, [['conv.w3', FILTERS * 3 * DIM], ['fc.weight', 2 * FILTERS]], 3);
    if (!sum) m.weights.set('fc.weight', m.weights.get('fc.weight')!.map((w) => w * 2));
    return m;
  }

  it('an add layer sums its inputs element by element (CPU and GPU)', async () => {
    const batch = prepareBatch([ids(8, 1), ids(5, 4)], 3);
    const summed = model(true);
    const doubled = model(false);
    for (const backend of [cpu, await gpu()]) {
      const a = await runOne(backend, summed, batch, run({ record: {} }));
      const b = await runOne(backend, doubled, batch, run({ record: {} }));
      expectExact(a.scores, b.scores);
      expect(Array.from(a.scores).some((score) => score > 0)).toBe(true);
    }
  });
});

describe('graph rules of model.json', () => {
  const base = stacked().config.network;
  const invalid = (layers: unknown[]) => () => validateNetwork(JSON.parse(JSON.stringify({ ...base, layers })));

  it('names an input that is not an earlier layer', () => {
    const layers = [...base.layers];
    layers[2] = { ...layers[2], inputs: ['spike2'] } as LayerSpec;
    expect(invalid(layers)).toThrow(ModelFormatError);
    expect(invalid(layers)).toThrow(/network\.layers\[2\]\.inputs\[0\]: names no earlier layer/);
  });

  it('a layer whose output nobody reads', () => {
    const layers = [...base.layers];
    layers[3] = { ...layers[3], inputs: ['spike1'] } as LayerSpec;
    layers.splice(3, 0, { kind: 'conv', name: 'unused', inChannels: DIM, widths: [1], filters: 2, bias: false, inputs: ['input'] });
    expect(invalid(layers)).toThrow(/network\.layers\[2\]\.name: is read by no later layer/);
  });

  it('a one-input layer given two, and a sum of different shapes', () => {
    const layers = [...base.layers];
    layers[1] = { ...layers[1], inputs: ['conv1', 'conv1'] } as LayerSpec;
    expect(invalid(layers)).toThrow(/network\.layers\[1\]\.inputs: a neuron layer reads exactly one input, got 2/);
    const sum = [...base.layers];
    sum.splice(4, 0, { kind: 'add', name: 'mix', inputs: ['spike1', 'spike2'] });
    expect(invalid(sum)).toThrow(/network\.layers\[4\]\.inputs: a sum needs inputs of the same shape/);
  });

  it('the padded length must cover the widest stack', () => {
    expect(() => validateNetwork({ ...JSON.parse(JSON.stringify(base)), encoder: { ...base.encoder, minLength: 3 } })).toThrow(/minLength: must be at least 4/);
  });
});
