import { describe, expect, it } from 'vitest';
import { GpuContext } from '../gpu/context';
import { nodeGpu } from '../gpu/node-gpu';
import { parseModel, serializeModel, type LoadedModel } from '../model/format';
import { layerShapes } from '../layers/graph';
import { makeRandomTextCnn, type RandomTextCnnOptions } from '../model/random-model';
import { expectExact } from '../test-support/compare';
import { CpuBackend, GpuBackend, type Backend } from './backends';
import { WasmOps } from './wasm-ops';
import { prepareBatch, type PreparedBatch } from './batch';
import { Engine } from './engine';
import type { ExecuteOptions } from './executor';

const WORDS = 'the a film is good bad great boring and but not very fun dull story acting movie plot love hate it'.split(' ');

function model(options: Partial<RandomTextCnnOptions> = {}): LoadedModel {
  const { config, weights } = makeRandomTextCnn({
    vocabulary: WORDS,
    dim: 12,
    widths: [2, 3, 4],
    filters: 5,
    classes: ['negative', 'positive'],
    seed: 3,
    vThreshold: 0.5,
    ...options,
  });
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

function ids(m: LoadedModel, length: number, offset: number): Int32Array {
  return Int32Array.from({ length }, (_, j) => ((j * 7 + offset) % (m.config.vocabulary.length + 2)) - 2);
}

const snn = (overrides: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  mode: 'snn',
  numSteps: 16,
  encoding: 'rate',
  seed: 5,
  maxChunkPositions: 1000,
  record: { spikeLayers: ['conv_spike', 'fc_spike'], input: true },
  ...overrides,
});

/** One run's raw output. */
async function runOne(backend: Backend, m: LoadedModel, batch: PreparedBatch, options: ExecuteOptions) {
  return (await backend.run(m, batch, [options])).raws[0];
}

let gpuBackend: Promise<GpuBackend> | null = null;
const gpu = () => (gpuBackend ??= (async () => new GpuBackend(await GpuContext.create(await nodeGpu())))());
const cpu = new CpuBackend('test');

describe('engine: the GPU path agrees with the CPU reference', () => {
  const m = model();
  const batch = prepareBatch([ids(m, 9, 1), ids(m, 3, 2), ids(m, 23, 3)], 4);

  it('rate encoding: same scores, spike counts per layer and spike trains, T = 16', async () => {
    const onGpu = await runOne(await gpu(), m, batch, snn());
    const onCpu = await runOne(cpu, m, batch, snn());
    expectExact(onGpu.scores, onCpu.scores);
    expectExact(onGpu.inputEvents, onCpu.inputEvents);
    for (const [layer, events] of onCpu.layerEvents) expectExact(onGpu.layerEvents.get(layer)!, events);
    expectExact(onGpu.spikeTrains.get('conv_spike')!.samples[2], onCpu.spikeTrains.get('conv_spike')!.samples[2]);
    expect(onCpu.layerEvents.size).toBe(3);
    expect([...onCpu.layerEvents.values()].every((events) => events.some((e) => e > 0))).toBe(true);
  });

  it('T = 1 and the ANN twin agree too', async () => {
    const one = snn({ numSteps: 1 });
    expectExact((await runOne(await gpu(), m, batch, one)).scores, (await runOne(cpu, m, batch, one)).scores);
    const ann = snn({ mode: 'ann' });
    const annGpu = (await runOne(await gpu(), m, batch, ann)).scores;
    const annCpu = (await runOne(cpu, m, batch, ann)).scores;
    for (let i = 0; i < annCpu.length; i++) expect(annGpu[i]).toBeCloseTo(annCpu[i], 4);
  });
});

describe('engine: the WebAssembly backend equals the CPU reference exactly', () => {
  const wasm = new CpuBackend('wasm', () => new WasmOps());
  const batch = (m: LoadedModel) => prepareBatch([ids(m, 9, 1), ids(m, 3, 2), ids(m, 23, 3), ids(m, 40, 5)], 4);
  const cases: [string, Partial<RandomTextCnnOptions>, Partial<ExecuteOptions>][] = [
    ['rate input, IF', {}, {}],
    ['direct input, chunked positions', {}, { encoding: 'direct', maxChunkPositions: 7 }],
    ['the ANN twin', {}, { mode: 'ann' }],
    ['T = 1', {}, { numSteps: 1 }],
  ];
  for (const [name, options, run] of cases) {
    it(`${name}: scores, events per layer, spike trains and input spikes`, async () => {
      const m = model(options);
      const b = batch(m);
      const expected = await runOne(cpu, m, b, snn(run));
      const actual = await runOne(wasm, m, b, snn(run));
      expectExact(actual.scores, expected.scores);
      expectExact(actual.inputEvents, expected.inputEvents);
      for (const [layer, events] of expected.layerEvents) expectExact(actual.layerEvents.get(layer)!, events);
      for (const [layer, train] of expected.spikeTrains) train.samples.forEach((sample, i) => expectExact(actual.spikeTrains.get(layer)!.samples[i], sample));
    });
  }
});

describe('engine: results do not depend on how the work is cut', () => {
  const m = model();
  const long = ids(m, 61, 4);

  it('a long text in chunks of positions equals the unchunked run (GPU and CPU)', async () => {
    const batch = prepareBatch([long, ids(m, 5, 6)], 4);
    for (const backend of [await gpu(), cpu]) {
      const whole = await runOne(backend, m, batch, snn());
      const chunked = await runOne(backend, m, batch, snn({ maxChunkPositions: 7 }));
      expectExact(chunked.scores, whole.scores);
      expectExact(chunked.inputEvents, whole.inputEvents);
      for (const [layer, events] of whole.layerEvents) expectExact(chunked.layerEvents.get(layer)!, events);
      expectExact(chunked.spikeTrains.get('conv_spike')!.samples[0], whole.spikeTrains.get('conv_spike')!.samples[0]);
      expectExact(chunked.inputTrain![0], whole.inputTrain![0]);
    }
  });

  it('one dispatch per step equals the fused multi-step dispatch', async () => {
    const batch = prepareBatch([long, ids(m, 5, 6)], 4);
    const fused = await runOne(await gpu(), m, batch, snn());
    const perStep = await runOne(await gpu(), m, batch, snn({ stepMode: 'per-step' }));
    expectExact(perStep.scores, fused.scores);
    for (const [layer, events] of fused.layerEvents) expectExact(perStep.layerEvents.get(layer)!, events);
  });

  it('direct input computed once for all steps (fused) equals recomputing it at every step (per-step)', async () => {
    const batch = prepareBatch([long, ids(m, 5, 6)], 4);
    const direct = { encoding: 'direct' as const, record: { spikeLayers: ['conv_spike'], input: true } };
    const fused = await runOne(await gpu(), m, batch, snn(direct));
    const perStep = await runOne(await gpu(), m, batch, snn({ ...direct, stepMode: 'per-step' }));
    expectExact(fused.scores, perStep.scores);
    for (const [layer, events] of perStep.layerEvents) expectExact(fused.layerEvents.get(layer)!, events);
    expectExact(fused.spikeTrains.get('conv_spike')!.samples[0], perStep.spikeTrains.get('conv_spike')!.samples[0]);
    expectExact(fused.inputTrain![1], perStep.inputTrain![1]);
    for (let i = 0; i < fused.inputEvents.length; i++) expect(fused.inputEvents[i]).toBeCloseTo(perStep.inputEvents[i], 3);
    const onCpu = await runOne(cpu, m, batch, snn(direct));
    expect(Array.from(onCpu.scores)).toEqual(Array.from(fused.scores));
  });

  it('a sentence gives the same spikes alone and inside a batch of other lengths', async () => {
    const alone = await runOne(await gpu(), m, prepareBatch([ids(m, 6, 1)], 4), snn());
    const inBatch = await runOne(await gpu(), m, prepareBatch([ids(m, 30, 2), ids(m, 6, 1), ids(m, 2, 3)], 4), snn());
    expect(Array.from(inBatch.scores.subarray(2, 4))).toEqual(Array.from(alone.scores));
    expect(inBatch.layerEvents.get(1)![1 * layerShapes(m.spec, inBatch.tokens)[1].positions]).toBe(alone.layerEvents.get(1)![0]);
  });
});

describe('Engine.classify', () => {
  it('classifies texts with labels, ANN twin, activity and energy; same on both backends', async () => {
    const m = model();
    const texts = ['the film is good', 'a boring , dull story but great acting', 'love it'];
    const options = { numSteps: 8, encoding: 'rate' as const, seed: 9 };
    const onGpu = await new Engine({ backend: 'gpu', gpu: nodeGpu }).classify(m, texts, options);
    const onCpu = await new Engine({ backend: 'cpu' }).classify(m, texts, options);
    expect(onGpu.backend).toBe('gpu');
    expect(onCpu.backend).toBe('cpu');
    onGpu.samples.forEach((sample, i) => {
      expect(sample.label).toBe(onCpu.samples[i].label);
      expect(sample.scores).toEqual(onCpu.samples[i].scores);
      expect(sample.activity.map((a) => a.spikeCount)).toEqual(onCpu.samples[i].activity.map((a) => a.spikeCount));
      expect(sample.energy.totals.snnAcs).toBe(onCpu.samples[i].energy.totals.snnAcs);
      expect(sample.ann?.label).toBeDefined();
      expect(sample.cumulativeScores).toHaveLength(8);
      expect(sample.cumulativeScores![7]).toEqual(sample.scores);
    });
    expect(onGpu.samples[0].tokens).toEqual(['the', 'film', 'is', 'good']);
  });

  it('rejects empty text with a clear InputError and accepts emoji and other scripts', async () => {
    const engine = new Engine({ backend: 'cpu' });
    const m = model();
    await expect(engine.classify(m, ['   '], { numSteps: 4, encoding: 'rate', seed: 1 })).rejects.toMatchObject({ name: 'InputError' });
    const result = await engine.classify(m, ['😀 電影 good'], { numSteps: 4, encoding: 'rate', seed: 1 });
    expect(result.samples[0].unknownTokens.length).toBeGreaterThan(0);
  });

  it('auto falls back to the WebAssembly CPU backend when WebGPU offers nothing, and says why', async () => {
    const engine = new Engine({ backend: 'auto', gpu: async () => undefined });
    const result = await engine.classify(model(), ['good film'], { numSteps: 4, encoding: 'rate', seed: 1 });
    expect(result.backend).toBe('cpu');
    expect(result.backendDetail).toMatch(/^WebAssembly SIMD, \d+ threads? \(WebGPU unavailable/);
    await expect(new Engine({ backend: 'gpu', gpu: async () => undefined }).classify(model(), ['good'], { numSteps: 4, encoding: 'rate', seed: 1 })).rejects.toMatchObject({
      name: 'GpuUnavailableError',
    });
  });

  it('in Node, auto takes the CPU backend over a software adapter (SwiftShader) and names it; gpu still takes it; reference is the TypeScript one', async () => {
    const options = { numSteps: 4, encoding: 'rate' as const, seed: 1 };
    const auto = await new Engine({ backend: 'auto', gpu: nodeGpu, skipSoftwareAdapter: true }).classify(model(), ['good film'], options);
    expect(auto.backend).toBe('cpu');
    expect(auto.backendDetail).toMatch(/auto: the only WebGPU adapter is a software one, .*swiftshader/i);
    const gpuRun = await new Engine({ backend: 'gpu', gpu: nodeGpu, skipSoftwareAdapter: true }).classify(model(), ['good film'], options);
    expect(gpuRun.backend).toBe('gpu');
    const reference = await new Engine({ backend: 'reference' }).classify(model(), ['good film'], options);
    expect(reference.backendDetail).toBe('CPU reference (chosen)');
    expect(reference.samples[0].scores).toEqual(auto.samples[0].scores);
  });

  it('recovers on a new device after the GPU device is lost', async () => {
    const engine = new Engine({ backend: 'gpu', gpu: nodeGpu });
    const m = model();
    const options = { numSteps: 4, encoding: 'rate' as const, seed: 1 };
    const first = await engine.classify(m, ['good film'], options);
    const backend = (await engine.currentBackend()) as GpuBackend;
    backend.ctx.device.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(backend.ctx.isLost).toBe(true);
    const second = await engine.classify(m, ['good film'], options);
    expect(second.samples[0].scores).toEqual(first.samples[0].scores);
    expect(second.notices.join(' ')).toMatch(/lost/);
    expect(((await engine.currentBackend()) as GpuBackend).ctx).not.toBe(backend.ctx);
    engine.dispose();
  });
});
