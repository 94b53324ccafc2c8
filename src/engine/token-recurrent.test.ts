import { describe, expect, it } from 'vitest';
import { dyadic, runOn, SENTENCES, WORDS } from '../test-support/word-sequences';
import { parseModel, serializeModel, type LoadedModel } from '../model/format';
import type { LayerSpec, TokenRecurrentLayerSpec } from '../model/spec';
import { makeRandomTextCnn } from '../model/random-model';
import { expectExact } from '../test-support/compare';
import { GpuContext } from '../gpu/context';
import { nodeGpu } from '../gpu/node-gpu';
import { CpuBackend, GpuBackend } from './backends';
import { prepareBatch, UnsupportedNetworkError } from './batch';
import { layerShapes, networkGraph } from '../layers/graph';
import { sampleEnergy } from './energy-input';
import type { ExecuteOptions, RawOutput } from './executor';

const HIDDEN = 12;
const LEVELS = 4;

/**
 * A token-recurrent BIF network with binary input presented once: `encoder (p ∈ {0, 1}) → conv (width 1)
 * → token-recurrent BIF → sum pool → fc → BIF`. Its rate-encoded input is one spike per component
 * with p = 1, the same values its ANN twin reads, and every weight is dyadic: CPU, GPU, SNN and twin
 * compute exactly the same sums.
 */
function tokenRecurrentModel(): LoadedModel {
  const { config, weights } = makeRandomTextCnn({ vocabulary: WORDS, dim: 8, widths: [1], filters: HIDDEN, classes: ['a', 'b'], seed: 4, neuronModel: 'BIF', levels: LEVELS, encoding: 'rate', minLength: 1 });
  const [conv, bif] = config.network.layers;
  if (bif.kind !== 'neuron') throw new Error('expected a neuron layer');
  const { kind: _kind, name: _name, ...neuron } = bif;
  const rnn: TokenRecurrentLayerSpec = { kind: 'token-recurrent', name: 'rnn', hidden: HIDDEN, neuron: { ...neuron, vThreshold: [1], vInitFraction: 0.5, ann: { kind: 'quant', step: 1, levels: LEVELS } } };
  const output = { ...neuron, kind: 'neuron', name: 'fc_spike', vThreshold: [1], vInitFraction: 0.5, levels: 16, ann: { kind: 'quant', step: 1, levels: 16 } } as LayerSpec;
  config.network.layers = [conv, rnn, { kind: 'pool', name: 'pool', mode: 'sum' }, { kind: 'linear', name: 'fc', inFeatures: HIDDEN, outFeatures: 2, bias: false }, output];
  config.network.encoder.binarySigmas = 0;
  config.network.encoder.presentation = 'first-step';
  weights.set('conv.w1', dyadic(9, 'conv', HIDDEN * 8, 1));
  weights.set('rnn.recurrentWeight', dyadic(9, 'U', HIDDEN * HIDDEN, 0.7));
  weights.set('fc.weight', dyadic(9, 'fc', 2 * HIDDEN, 0.5));
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

const run = (overrides: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  mode: 'snn',
  numSteps: 8,
  encoding: 'rate',
  seed: 3,
  maxChunkPositions: 1000,
  record: { spikeLayers: ['rnn'] },
  ...overrides,
});

/** Spike counts `[positions][hidden]` of sample b of a recorded train. */
function counts(raw: RawOutput, b: number): Float32Array {
  const train = raw.spikeTrains.get('rnn')!;
  const inner = train.positions * train.channels;
  const out = new Float32Array(inner);
  for (let t = 0; t < raw.numSteps; t++) for (let i = 0; i < inner; i++) out[i] += train.samples[b][t * inner + i];
  return out;
}

describe('a token-recurrent layer in the engine', () => {
  const model = tokenRecurrentModel();
  const batch = prepareBatch(SENTENCES, 1);
  const rnnIndex = model.spec.layers.findIndex((layer) => layer.name === 'rnn');

  it('GPU and CPU give the same spikes, whole or in chunks of positions (the counts carried between chunks)', async () => {
    const gpu = new GpuBackend(await GpuContext.create(await nodeGpu()));
    const cpu = new CpuBackend('test');
    const runs = [run(), run({ maxChunkPositions: 3 }), run({ maxChunkPositions: 1 }), run({ mode: 'ann' }), run({ mode: 'ann', maxChunkPositions: 2 })];
    const onGpu = await runOn(gpu, model, batch, runs);
    const onCpu = await runOn(cpu, model, batch, runs);
    const [whole, chunked, single] = onGpu;
    expect(whole.scores.some((x) => x > 0)).toBe(true);
    for (const raw of [chunked, single, ...onCpu.slice(0, 3)]) {
      expectExact(raw.scores, whole.scores);
      expectExact(raw.layerEvents.get(rnnIndex)!, whole.layerEvents.get(rnnIndex)!);
      for (let b = 0; b < batch.batch; b++) expectExact(raw.spikeTrains.get('rnn')!.samples[b], whole.spikeTrains.get('rnn')!.samples[b]);
    }
    for (const raw of [onGpu[4], onCpu[3], onCpu[4]]) expectExact(raw.scores, onGpu[3].scores);
    // A per-step run records the same: the layer needs whole windows, so it runs fused.
    const [perStep] = await runOn(gpu, model, batch, [run({ stepMode: 'per-step' })]);
    expectExact(perStep.scores, whole.scores);
    gpu.dispose();
  });

  it('spike counts are the quantised twin integers: the output counts equal the twin once settled', async () => {
    const gpu = new GpuBackend(await GpuContext.create(await nodeGpu()));
    // 3 steps settle the hidden windows (L − 1); the output layer (16 levels) needs up to 15 more.
    const [settled, ann, short] = await runOn(gpu, model, batch, [run({ numSteps: 24 }), run({ mode: 'ann' }), run({ numSteps: LEVELS - 1 })]);
    expectExact(settled.scores, ann.scores);
    for (let b = 0; b < batch.batch; b++) expectExact(counts(short, b), counts(settled, b));
    const all = SENTENCES.flatMap((_, b) => [...counts(settled, b)]);
    for (const level of [0, 1, 2, 3]) expect(all.includes(level)).toBe(true);
    gpu.dispose();
  });

  it('a sample gives the same spikes alone as in a batch of other lengths; positions past its length are silent', async () => {
    const gpu = new GpuBackend(await GpuContext.create(await nodeGpu()));
    const [together] = await runOn(gpu, model, batch, [run()]);
    const train = together.spikeTrains.get('rnn')!;
    for (const [b, ids] of SENTENCES.entries()) {
      const [alone] = await runOn(gpu, model, prepareBatch([ids], 1), [run()]);
      expectExact(alone.scores, together.scores.subarray(2 * b, 2 * b + 2));
      const own = alone.spikeTrains.get('rnn')!;
      for (let t = 0; t < 8; t++) {
        const fromBatch = train.samples[b].subarray(t * train.positions * HIDDEN, (t * train.positions + ids.length) * HIDDEN);
        expectExact(own.samples[0].subarray(t * ids.length * HIDDEN, (t + 1) * ids.length * HIDDEN), fromBatch);
        expect(train.samples[b].subarray((t * train.positions + ids.length) * HIDDEN, (t + 1) * train.positions * HIDDEN).every((s) => s === 0)).toBe(true);
      }
    }
    gpu.dispose();
  });

  it('energy: U costs H accumulates per spike that has a next position, against the twin’s H² MACs per position after the first', async () => {
    const cpu = new CpuBackend('test');
    const [raw] = await runOn(cpu, model, batch, [run()]);
    const b = 0;
    const length = batch.lengths[b];
    const report = sampleEnergy(model.spec, raw, b, length, { numSteps: 8, encoding: 'rate', seed: 3 });
    const row = report.layers[rnnIndex];
    const positions = layerShapes(model.spec, raw.tokens)[rnnIndex].positions;
    const events = raw.layerEvents.get(rnnIndex)!.slice(b * positions, b * positions + length);
    const total = events.reduce((sum, x) => sum + x, 0);
    expect(row.kind).toBe('token-recurrent');
    expect(row.events).toBe(total);
    expect(row.neurons).toBe(length * HIDDEN);
    expect(row.annMacs).toBe((length - 1) * HIDDEN * HIDDEN);
    // U's accumulates, then every neuron's update at every step (BIF: 2 ACs) and each spike's reset.
    expect(row.snnAcs).toBe((total - events[length - 1]) * HIDDEN + length * HIDDEN * 8 * 2 + total);
    expect(row.neuronUpdates).toBe(length * HIDDEN * 8);
    expect(row.firingRate).toBeCloseTo(total / (length * HIDDEN * 8), 10);
    // The pool after it counts the layer's spikes, per position.
    expect(report.layers[rnnIndex + 1].snnAcs).toBe(total);
  });

  it('needs a convolution of one width before it', () => {
    const spec = structuredClone(model.spec);
    const conv = spec.layers[0];
    if (conv.kind === 'conv') conv.widths = [1, 2];
    expect(() => networkGraph(spec)).toThrow(UnsupportedNetworkError);
  });
});
