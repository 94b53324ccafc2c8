import { describe, expect, it } from 'vitest';
import { DEFAULT_ENERGY_SETTINGS, energyReport } from '../model/energy';
import type { NetworkSpec } from '../model/spec';
import { explainEnergy, neurobenchMetrics, formatCount, formatEnergy, formatPercent, formatRatio, repriceEnergy } from './energy-view';

const spec: NetworkSpec = {
  encoder: { kind: 'rate', embeddingDim: 4, mean: 0, std: 1, clipSigmas: 3, minLength: 3 },
  layers: [
    { kind: 'conv', name: 'conv', inChannels: 4, widths: [2, 3], filters: 2, bias: false },
    { kind: 'neuron', name: 'conv_spike', model: 'IF', reset: 'soft', vThreshold: [1], beta: 1, vReset: 0, vInitFraction: 0, levels: 2, ann: { kind: 'relu' } },
    { kind: 'pool', name: 'pool', mode: 'avg' },
    { kind: 'neuron', name: 'pool_spike', model: 'IF', reset: 'soft', vThreshold: [1], beta: 1, vReset: 0, vInitFraction: 0, levels: 2, ann: { kind: 'relu' } },
    { kind: 'linear', name: 'fc', inFeatures: 4, outFeatures: 2, bias: false },
    { kind: 'neuron', name: 'fc_spike', model: 'IF', reset: 'soft', vThreshold: [1], beta: 1, vReset: 0, vInitFraction: 0, levels: 2, ann: { kind: 'identity' } },
  ],
  readout: { classes: ['negative', 'positive'], population: 1 },
};

function report(settings = DEFAULT_ENERGY_SETTINGS) {
  return energyReport(
    spec,
    { tokens: 3, numSteps: 8, encoding: 'rate', events: { input: Float32Array.of(16, 12, 8), layers: [undefined, Float32Array.of(5, 3), undefined, 6, undefined, 4] } },
    settings,
  );
}

describe('energy view', () => {
  it('re-prices a report exactly as the engine would price it with the new settings', () => {
    const settings = { eMacPicojoules: 3.1, eAcPicojoules: 0.1 };
    const repriced = repriceEnergy(report(), settings);
    const expected = report(settings);
    expect(repriced.totals.snnAcs).toBe(expected.totals.snnAcs);
    expect(repriced.snnEnergyPicojoules).toBeCloseTo(expected.snnEnergyPicojoules, 6);
    expect(repriced.annEnergyPicojoules).toBeCloseTo(expected.annEnergyPicojoules, 6);
    expect(repriced.ratio).toBeCloseTo(expected.ratio, 9);
    expect(repriced.verdict).toBe(expected.verdict);
    repriced.layers.forEach((row, i) => expect(row.snnEnergyPicojoules).toBeCloseTo(expected.layers[i].snnEnergyPicojoules, 6));
  });

  it('formats counts exactly and energy in a readable unit', () => {
    expect(formatCount(171360000)).toBe('171,360,000');
    expect(formatEnergy(36.2e6)).toBe('36.2 µJ');
    expect(formatEnergy(512e3)).toBe('512 nJ');
    expect(formatEnergy(3.1)).toBe('3.10 pJ');
    expect(formatPercent(0.4833)).toBe('48.3 %');
    expect(formatPercent(null)).toBe('—');
    expect(formatRatio(4.26)).toBe('4.3×');
    expect(formatRatio(0.213)).toBe('0.21×');
  });

  it('says plainly when the SNN costs more, and why', () => {
    const costly = repriceEnergy(report(), { eMacPicojoules: 0.01, eAcPicojoules: 5 });
    expect(costly.ratio).toBeGreaterThan(1);
    const text = explainEnergy(costly, 8, 'rate');
    expect(text).toMatch(/SNN costs more than the ANN/);
    expect(text).toMatch(/Rate coding/);
    const cheap = repriceEnergy(report(), { eMacPicojoules: 100, eAcPicojoules: 0.001 });
    expect(explainEnergy(cheap, 8, 'rate')).toMatch(/of the ANN's energy/);
  });

  it('gives no advice the model already follows: a first layer on analog input costs what the ANN’s does', () => {
    const costly = repriceEnergy(report(), { eMacPicojoules: 0.01, eAcPicojoules: 5 });
    const analogFirst = { ...costly, layers: costly.layers.map((row) => (row.name === 'conv' ? { ...row, snnMacs: row.annMacs, snnEnergyPicojoules: 1e9, annEnergyPicojoules: 1e9 } : row)) };
    const text = explainEnergy(analogFirst, 16, 'direct');
    expect(text).toMatch(/Layer “conv” spends \d+ % of it\. That layer reads analog values, so it multiplies as the ANN does/);
    expect(text).not.toMatch(/direct encoding/);
  });

  it("gives NeuroBench's metrics of the inference: effective against dense operations, activation sparsity", () => {
    const r = report();
    const nb = neurobenchMetrics(r, 8);
    expect(nb).toMatchObject({ effectiveAcs: r.totals.snnAcs, effectiveMacs: r.totals.snnMacs, dense: r.totals.annMacs + r.totals.annAcs });
    const spiking = r.layers.filter((row) => row.firingRate !== null);
    const events = spiking.reduce((sum, row) => sum + row.events, 0);
    const slots = spiking.reduce((sum, row) => sum + row.neurons * 8, 0);
    expect(nb.activationSparsity).toBeCloseTo(1 - events / slots, 12);
    // Per layer, each spiking layer's own share of silent neuron-steps.
    expect(nb.layerSparsity.map((l) => l.name)).toEqual(spiking.filter((row) => row.neurons > 0).map((row) => row.name));
    for (const layer of nb.layerSparsity) {
      const row = spiking.find((entry) => entry.name === layer.name)!;
      expect(layer.slots).toBe(row.neurons * 8);
      expect(layer.sparsity).toBeCloseTo(1 - row.events / (row.neurons * 8), 12);
    }
  });
});
