import { describe, expect, it } from 'vitest';
import { GpuContext } from '../gpu/context';
import { nodeGpu } from '../gpu/node-gpu';
import { parseModel, serializeModel, type LoadedModel } from '../model/format';
import type { NeuronLayerSpec, RecurrentLayerSpec } from '../model/spec';
import { makeRandomTextCnn, randomUniformTensor } from '../model/random-model';
import { expectExact } from '../test-support/compare';
import { CpuBackend, GpuBackend, type Backend } from './backends';
import { prepareBatch, type PreparedBatch } from './batch';
import type { ExecuteOptions } from './executor';

const WORDS = 'the a film is good bad great boring and but not very fun dull story acting movie plot love hate it'.split(' ');
const options = (overrides: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  mode: 'snn',
  numSteps: 12,
  encoding: 'rate',
  seed: 2,
  maxChunkPositions: 1000,
  ...overrides,
});

async function both(m: LoadedModel, batch: PreparedBatch, run: ExecuteOptions) {
  const gpu: Backend = new GpuBackend(await GpuContext.create(await nodeGpu()));
  const cpu: Backend = new CpuBackend('test');
  const [onGpu] = (await gpu.run(m, batch, [run])).raws;
  const [onCpu] = (await cpu.run(m, batch, [run])).raws;
  gpu.dispose();
  return { onGpu, onCpu };
}

/** The random TextCNN with a recurrent spiking layer of `hidden` units between the pool and the classifier. */
function recurrentModel(hidden: number): LoadedModel {
  const { config, weights } = makeRandomTextCnn({ vocabulary: WORDS, dim: 8, widths: [2, 3], filters: 4, classes: ['a', 'b'], seed: 6, vThreshold: 0.5 });
  const layers = config.network.layers;
  const poolSpike = layers.find((layer) => layer.name === 'pool_spike') as NeuronLayerSpec;
  const { kind: _kind, name: _name, ...neuron } = poolSpike;
  const recurrent: RecurrentLayerSpec = { kind: 'recurrent', name: 'rec', inFeatures: 8, hidden, bias: false, neuron };
  const fcIndex = layers.findIndex((layer) => layer.name === 'fc');
  layers.splice(fcIndex, 0, recurrent);
  const fc = layers[fcIndex + 1];
  if (fc.kind === 'linear') fc.inFeatures = hidden;
  weights.set('rec.inputWeight', randomUniformTensor(6, 'rec.inputWeight', hidden * 8, -1, 1));
  weights.set('rec.recurrentWeight', randomUniformTensor(6, 'rec.recurrentWeight', hidden * hidden, -0.6, 0.6));
  weights.set('fc.weight', randomUniformTensor(6, 'fc.weight', 2 * hidden, -1, 1));
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

describe('engine layers beyond the TextCNN default, GPU against CPU', () => {
  it('LIF neurons with population coding: same scores and spike counts', async () => {
    const { config, weights } = makeRandomTextCnn({
      vocabulary: WORDS,
      dim: 10,
      widths: [3, 5],
      filters: 6,
      classes: ['a', 'b', 'c'],
      seed: 8,
      neuronModel: 'LIF',
      beta: 0.875,
      population: 4,
      vThreshold: 0.5,
      weightScale: 1,
    });
    const { configText, weightBytes } = serializeModel(config, weights);
    const m = parseModel(configText, weightBytes);
    const batch = prepareBatch([Int32Array.of(1, 2, 3, 4, 5, 6, 7), Int32Array.of(8, 9, 10)], 5);
    const { onGpu, onCpu } = await both(m, batch, options({ record: { membrane: [{ layer: 'fc_spike', neurons: [0, 5, 11] }] } }));
    expect(onCpu.scores.length).toBe(2 * 3);
    expectExact(onGpu.scores, onCpu.scores);
    for (const [layer, events] of onCpu.layerEvents) expectExact(onGpu.layerEvents.get(layer)!, events);
    expect(onCpu.membrane).toHaveLength(3);
    onCpu.membrane.forEach((trace, i) => {
      for (let b = 0; b < 2; b++) {
        for (let t = 0; t < 12; t++) expect(onGpu.membrane[i].samples[b][t]).toBeCloseTo(trace.samples[b][t], 4);
      }
    });
  });

  it('a recurrent spiking layer after the pool: same scores, spike counts and spike trains', async () => {
    const m = recurrentModel(7);
    const batch = prepareBatch([Int32Array.of(1, 2, 3, 4, 5), Int32Array.of(6, 7, 8)], 3);
    const { onGpu, onCpu } = await both(m, batch, options({ record: { spikeLayers: ['rec'] } }));
    expectExact(onGpu.scores, onCpu.scores);
    const recIndex = m.spec.layers.findIndex((layer) => layer.name === 'rec');
    expectExact(onGpu.layerEvents.get(recIndex)!, onCpu.layerEvents.get(recIndex)!);
    expect(onCpu.layerEvents.get(recIndex)!.some((events) => events > 0)).toBe(true);
    expectExact(onGpu.spikeTrains.get('rec')!.samples[1], onCpu.spikeTrains.get('rec')!.samples[1]);
  });
});
