import { describe, expect, it } from 'vitest';
import { convFanOut, ENERGY_PRESETS, energyReport, energyVerdict, EnergyInputError, memoryAccessPicojoules } from './energy';
import type { EnergySample } from './energy';
import type { ConvLayerSpec, LayerSpec, NetworkSpec, NeuronLayerSpec } from './spec';

function neuron(name: string): NeuronLayerSpec {
  return { kind: 'neuron', name, model: 'IF', reset: 'soft', vThreshold: [1], beta: 1, vReset: 0, vInitFraction: 0, levels: 2, ann: { kind: 'relu' } };
}

/** encoder(dim) → conv(widths, filters) → IF → avg pool → IF → linear(classes) → IF. */
function textCnn(dim: number, widths: number[], filters: number, classes: number, bias = false): NetworkSpec {
  const layers: LayerSpec[] = [
    { kind: 'conv', name: 'conv', inChannels: dim, widths, filters, bias },
    neuron('conv_spike'),
    { kind: 'pool', name: 'pool', mode: 'avg' },
    neuron('pool_spike'),
    { kind: 'linear', name: 'fc', inFeatures: widths.length * filters, outFeatures: classes, bias },
    neuron('fc_spike'),
  ];
  return {
    encoder: { kind: 'rate', embeddingDim: dim, mean: 0, std: 1, clipSigmas: 3, minLength: Math.max(...widths) },
    layers,
    readout: { classes: Array.from({ length: classes }, (_, i) => `c${i}`), population: 1 },
  };
}

const small = textCnn(2, [3], 2, 2);
const smallSample = (encoding: 'rate' | 'direct' = 'rate'): EnergySample => ({
  tokens: 5,
  numSteps: 4,
  encoding,
  events: { input: new Float32Array([1, 0, 2, 0, 1]), layers: [undefined, new Float32Array([1, 2, 0]), undefined, 2, undefined, 1] },
});

describe('convFanOut', () => {
  it('counts the output positions of a width-3 conv over 5 tokens that cover each input', () => {
    const conv: ConvLayerSpec = { kind: 'conv', name: 'c', inChannels: 1, widths: [3], filters: 1, bias: false };
    expect([0, 1, 2, 3, 4].map((j) => convFanOut(conv, 5, j))).toEqual([1, 2, 3, 2, 1]);
  });

  it('sums over branches and multiplies by filters; short inputs give no positions', () => {
    const conv: ConvLayerSpec = { kind: 'conv', name: 'c', inChannels: 1, widths: [1, 2], filters: 10, bias: false };
    expect([0, 1, 2].map((j) => convFanOut(conv, 3, j))).toEqual([20, 30, 20]);
    expect(convFanOut({ ...conv, widths: [4] }, 3, 1)).toBe(0);
  });
});

describe('energyReport, hand-computed', () => {
  it('counts ANN MACs and SNN ACs of every layer, the first included', () => {
    const report = energyReport(small, smallSample());
    const byName = Object.fromEntries(report.layers.map((row) => [row.name, row]));
    // conv: 3 positions × width 3 × 2 in × 2 filters; events 1, 2, 1 at positions 0, 2, 4 drive 1, 3, 1 positions × 2 filters.
    expect(byName.conv).toMatchObject({ annMacs: 36, annAcs: 0, snnAcs: 2 + 12 + 2, snnMacs: 0 });
    // Neurons: every one of them updates at every step (IF: v + x and the comparison, 2 ACs), and a spike resets (1 AC).
    expect(byName.conv_spike).toMatchObject({ neurons: 6, events: 3, firingRate: 3 / 24, neuronUpdates: 24, snnAcs: 24 * 2 + 3, snnMacs: 0 });
    expect(byName.pool).toMatchObject({ annAcs: 6, snnAcs: 3 });
    expect(byName.pool_spike).toMatchObject({ neurons: 2, events: 2, firingRate: 2 / 8, snnAcs: 8 * 2 + 2 });
    expect(byName.fc).toMatchObject({ annMacs: 4, snnAcs: 4 });
    expect(byName.fc_spike).toMatchObject({ firingRate: 1 / 8, snnAcs: 8 * 2 + 1 });
    expect(report.input).toEqual({ events: 4, firingRate: 4 / (5 * 2 * 4) });
    // Synapses 16 + 3 + 4, neurons 51 + 18 + 17.
    expect(report.totals).toMatchObject({ annMacs: 40, annAcs: 6, snnAcs: 109, snnMacs: 0 });
    expect(report.annEnergyPicojoules).toBeCloseTo(40 * 4.6 + 6 * 0.9, 9);
    expect(report.snnEnergyPicojoules).toBeCloseTo(109 * 0.9, 9);
    expect(report.ratio).toBeCloseTo(98.1 / 189.4, 9);
    expect(report.verdict).toBe('SNN saves 48 %');
  });

  it('counts the analog first layer of direct encoding as its ANN MACs, once', () => {
    const report = energyReport(small, smallSample('direct'));
    expect(report.layers[0]).toMatchObject({ snnMacs: 36, snnAcs: 0 });
    expect(report.layers[2].snnAcs).toBe(3);
    expect(report.input.firingRate).toBeNull();
  });

  it('prices a fair ANN for binary input: the layer reading 0/1 values only adds', () => {
    const binary = { ...small, encoder: { ...small.encoder, binarySigmas: 0 } };
    const report = energyReport(binary, smallSample());
    // The first convolution's 36 operations are additions in the ANN fed 0/1; the layers after it multiply.
    expect(report.layers[0]).toMatchObject({ annMacs: 0, annAcs: 36, snnAcs: 16 });
    expect(report.layers[4]).toMatchObject({ annMacs: 4 });
    expect(report.totals).toMatchObject({ annMacs: 4, annAcs: 42 });
    expect(report.annEnergyPicojoules).toBeCloseTo(4 * 4.6 + 42 * 0.9, 9);
  });

  it('adds one AC per output per step for biases', () => {
    const report = energyReport(textCnn(2, [3], 2, 2, true), smallSample());
    expect(report.layers[0]).toMatchObject({ annAcs: 6, snnAcs: 16 + 6 * 4 });
    expect(report.layers[4]).toMatchObject({ annAcs: 2, snnAcs: 4 + 2 * 4 });
  });

  it('uses the energy settings it is given', () => {
    const report = energyReport(small, smallSample(), { eMacPicojoules: 1, eAcPicojoules: 1 });
    expect(report.totals.annEnergyPicojoules).toBe(46);
    expect(report.totals.snnEnergyPicojoules).toBe(109);
  });

  it('counts a leaky neuron\'s charge β·v + x as a multiply-accumulate', () => {
    const leaky = structuredClone(small);
    (leaky.layers[1] as NeuronLayerSpec).model = 'LIF';
    const row = energyReport(leaky, smallSample()).layers[1];
    expect(row).toMatchObject({ neuronUpdates: 24, snnMacs: 24, snnAcs: 24 + 3 });
  });

  it('counts a recurrent layer: W per input event, U per own event, (in + hidden) · hidden ANN MACs', () => {
    const spec: NetworkSpec = {
      ...small,
      layers: [
        ...small.layers.slice(0, 4),
        { kind: 'recurrent', name: 'rnn', inFeatures: 2, hidden: 3, bias: false, neuron: { ...neuron('x'), vThreshold: [1] } },
      ],
      readout: { classes: ['a', 'b', 'c'], population: 1 },
    };
    const sample = smallSample();
    sample.events.layers = [undefined, new Float32Array([1, 2, 0]), undefined, 5, 7];
    const row = energyReport(spec, sample).layers[4];
    expect(row).toMatchObject({ annMacs: (2 + 3) * 3, snnAcs: 5 * 3 + 7 * 3 + 12 * 2 + 7, neurons: 3, events: 7 });
  });
});

describe('energy presets, hand-computed on the small network', () => {
  const preset = (id: string) => ENERGY_PRESETS.find((entry) => entry.id === id)!.settings;

  it('45 nm float and 45 nm integer price the same counts at their figures', () => {
    const float = energyReport(small, smallSample(), preset('float45'));
    const int = energyReport(small, smallSample(), preset('int45'));
    // ANN: 36 + 4 MACs, 6 ACs (pool). SNN: 16 + 51 + 3 + 18 + 4 + 17 ACs, no MACs.
    expect(float.totals).toMatchObject({ annMacs: 40, annAcs: 6, snnAcs: 109, snnMacs: 0 });
    expect(float.annEnergyPicojoules).toBeCloseTo(40 * 4.6 + 6 * 0.9, 9);
    expect(float.snnEnergyPicojoules).toBeCloseTo(109 * 0.9, 9);
    expect(int.annEnergyPicojoules).toBeCloseTo(40 * 0.3 + 6 * 0.1, 9);
    expect(int.snnEnergyPicojoules).toBeCloseTo(109 * 0.1, 9);
  });

  it('counts memory accesses: ANN operands and outputs; SNN weight and potential per event, potentials per update, spikes', () => {
    const report = energyReport(small, smallSample(), preset('float45-memory'));
    const byName = Object.fromEntries(report.layers.map((row) => [row.name, row]));
    // conv, ANN: 36 MACs × (weight + input) + 6 outputs; SNN: 16 event ACs × (weight, potential read, write).
    expect(byName.conv.memory).toEqual({ annAccesses: 36 * 2 + 6, snnAccesses: 16 * 3, bytes: 4 * (12 + 6) });
    // conv_spike: no ANN operations; 24 updates × (read, write) + 3 spikes written.
    expect(byName.conv_spike.memory).toEqual({ annAccesses: 0, snnAccesses: 24 * 2 + 3, bytes: 4 * 6 });
    // pool: 6 adds read their input + 2 outputs; 3 event adds as accumulates into the sums.
    expect(byName.pool.memory).toEqual({ annAccesses: 6 + 2, snnAccesses: 3 * 3, bytes: 4 * 2 });
    expect(byName.fc.memory).toEqual({ annAccesses: 4 * 2 + 2, snnAccesses: 4 * 3, bytes: 4 * (4 + 2) });
    // Every memory here is under 8 KB: 10 pJ per access.
    const conv = byName.conv;
    expect(conv.annEnergyPicojoules).toBeCloseTo(36 * 4.6 + 78 * 10, 9);
    expect(conv.snnEnergyPicojoules).toBeCloseTo(16 * 0.9 + 48 * 10, 9);
    // Direct input: the first layer's MACs read weight and input once, its outputs are written once.
    const direct = energyReport(small, smallSample('direct'), preset('float45-memory'));
    expect(direct.layers[0].memory).toMatchObject({ annAccesses: 78, snnAccesses: 78 });
  });

  it('prices an access by the size of the memory: 10, 20, 100 pJ at 8 KB, 32 KB, 1 MB, log-linear between', () => {
    expect(memoryAccessPicojoules(100)).toBe(10);
    expect(memoryAccessPicojoules(8 * 1024)).toBe(10);
    expect(memoryAccessPicojoules(16 * 1024)).toBeCloseTo(15, 9);
    expect(memoryAccessPicojoules(32 * 1024)).toBeCloseTo(20, 9);
    expect(memoryAccessPicojoules(1024 * 1024)).toBeCloseTo(100, 9);
    expect(memoryAccessPicojoules(1e9)).toBe(100);
  });

  it("prices the SNN at a chip's figures (Loihi, the vendor's): synaptic operations, neuron updates, spikes; the ANN with its memory", () => {
    const loihi = ENERGY_PRESETS.find((entry) => entry.id === 'loihi')!;
    expect(loihi.vendor).toBe(true);
    expect(loihi.source).toMatch(/Published by the vendor.*Davies et al\., IEEE Micro 38\(1\), 2018/);
    const report = energyReport(small, smallSample(), loihi.settings);
    const byName = Object.fromEntries(report.layers.map((row) => [row.name, row]));
    // Synaptic ACs: conv 16 (events × fan-out), pool 3, fc 4; neuron updates 6·4 + 2·4 + 2·4; spikes 3 + 2 + 1.
    expect([byName.conv.synapticAcs, byName.pool.synapticAcs, byName.fc.synapticAcs]).toEqual([16, 3, 4]);
    expect(report.layers.reduce((sum, row) => sum + row.synapticAcs, 0)).toBe(23);
    expect(report.layers.reduce((sum, row) => sum + row.neuronUpdates, 0)).toBe(40);
    expect(report.snnEnergyPicojoules).toBeCloseTo(23 * 23.6 + 40 * 52 + 6 * 1.7, 9);
    // The ANN as under 45 nm float + memory (every memory here is under 8 KB: 10 pJ per access).
    expect(report.annEnergyPicojoules).toBeCloseTo(36 * 4.6 + 78 * 10 + (6 * 0.9 + 8 * 10) + (4 * 4.6 + 10 * 10), 9);
    expect(report.annEnergyPicojoules).toBeCloseTo(energyReport(small, smallSample(), preset('float45-memory')).annEnergyPicojoules, 9);
    // Direct input: the host multiplies the analog first layer at the ANN's prices, weight and input read per MAC.
    const direct = energyReport(small, smallSample('direct'), loihi.settings);
    expect(direct.layers[0]).toMatchObject({ synapticMacs: 36, synapticAcs: 0 });
    expect(direct.layers[0].snnEnergyPicojoules).toBeCloseTo(36 * (4.6 + 2 * 10), 9);
  });

  it('counts a leaky neuron\'s charge as a register operation, not a memory access beyond its potential', () => {
    const leaky: NetworkSpec = { ...small, layers: small.layers.map((layer) => (layer.kind === 'neuron' ? { ...layer, model: 'LIF', beta: 0.9 } : layer)) };
    const report = energyReport(leaky, smallSample(), preset('float45-memory'));
    const row = report.layers.find((layer) => layer.name === 'conv_spike')!;
    expect(row).toMatchObject({ snnMacs: 24, snnAcs: 24 + 3 });
    expect(row.memory.snnAccesses).toBe(24 * 2 + 3);
  });
});

describe('energyReport input checks', () => {
  it('rejects missing events of a spiking layer', () => {
    const sample = smallSample();
    sample.events.layers = [undefined, new Float32Array([1, 2, 0])];
    expect(() => energyReport(small, sample)).toThrow(EnergyInputError);
    expect(() => energyReport(small, sample)).toThrow(/events\.layers\[3\] is missing: layer "pool_spike" spikes/);
  });

  it('rejects input counts that do not match the tokens', () => {
    expect(() => energyReport(small, { ...smallSample(), tokens: 6 })).toThrow(/events\.input has 5 positions but the sample has 6 tokens/);
  });

  it('needs per-position counts before a convolution', () => {
    const twoConvs: NetworkSpec = { ...small, layers: [small.layers[0], small.layers[1], { kind: 'conv', name: 'conv2', inChannels: 2, widths: [1], filters: 2, bias: false }, ...small.layers.slice(1).map((l) => ({ ...l, name: `${l.name}2` }))] };
    const sample = smallSample();
    sample.events.layers = [undefined, 3];
    expect(() => energyReport(twoConvs, sample)).toThrow(/layer 2 \("conv2"\) is a convolution: the layer before must report events per position/);
  });
});

describe('architecture §4.5 reference figure: spiking TextCNN on an SST-2 sentence', () => {
  const spec = textCnn(300, [3, 4, 5], 100, 2);
  const sample = (p: number): EnergySample => ({
    tokens: 25,
    numSteps: 50,
    encoding: 'rate',
    events: { input: new Float32Array(25).fill(300 * 50 * p), layers: [undefined, new Float32Array(23), undefined, 0, undefined, 0] },
  });

  it('has ~7.9 M ANN MACs and ~170-200 M first-layer ACs at T = 50 (SNN costs more)', () => {
    const report = energyReport(spec, sample(0.5));
    expect(report.layers[0].annMacs).toBe((23 * 3 + 22 * 4 + 21 * 5) * 300 * 100);
    expect(report.totals.annMacs).toBe(7_860_000 + 600);
    expect(report.totals.annEnergyPicojoules / 1e6).toBeCloseTo(36.2, 1);
    // Every input event drives filters × covering positions; summed over positions that is MACs × T × p.
    expect(report.layers[0].snnAcs).toBe(7_860_000 * 50 * 0.5);
    expect(report.layers[0].snnAcs).toBeGreaterThan(150e6);
    expect(report.layers[0].snnAcs).toBeLessThan(200e6);
    expect(report.verdict).toBe('SNN costs 4.9× the ANN');
  });

  it('gives the design note\'s 171 M ACs (154 µJ) at a mean firing probability of about 0.435', () => {
    const report = energyReport(spec, sample(0.435));
    expect(report.layers[0].snnAcs / 1e6).toBeCloseTo(171, 0);
    expect(report.layers[0].snnEnergyPicojoules / 1e6).toBeCloseTo(154, 0);
  });
});

describe('energyVerdict', () => {
  it('says how much the SNN costs or saves', () => {
    expect(energyVerdict(4.321)).toBe('SNN costs 4.3× the ANN');
    expect(energyVerdict(25.4)).toBe('SNN costs 25× the ANN');
    expect(energyVerdict(0.2)).toBe('SNN saves 80 %');
    expect(energyVerdict(0.999)).toBe('SNN costs 1.00× the ANN');
    expect(energyVerdict(NaN)).toBe('no ANN operations to compare with');
  });
});
