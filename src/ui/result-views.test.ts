import { describe, expect, it } from 'vitest';
import type { BatchResult, SampleResult } from '../engine/types';
import type { EnergyReport } from '../model/energy';
import { allUnknown, batchRows, tokenStripData, type StripModel } from './result-views';

const model: StripModel = {
  layers: [
    { name: 'conv', kind: 'conv', positional: true, widths: [1, 2], filters: 1 },
    { name: 'conv_spike', kind: 'neuron', positional: true, spans: [1, 2] },
    { name: 'pool', kind: 'pool', positional: false },
  ],
};

function sample(overrides: Partial<SampleResult> = {}): SampleResult {
  return {
    label: 'positive',
    labelIndex: 1,
    scores: [1, 3],
    ann: { label: 'negative', labelIndex: 0, scores: [0.5, 0.25] },
    tokens: ['fine', 'zzz', 'film'],
    tokenIds: [4, -1, 7],
    unknownTokens: ['zzz'],
    activity: [{ layer: 'conv_spike', kind: 'neuron', spikeCount: 6, neurons: 5, firingRate: 0.1, perPosition: Float32Array.of(4, 0, 2) }],
    energy: {} as EnergyReport,
    ...overrides,
  };
}

describe('result views', () => {
  it('credits first-layer spikes to words from the spike train when recorded', () => {
    // 3 positions × 2 channels (widths 1 and 2), one step: position 0 fires on both channels.
    const spikes = Float32Array.of(1, 1, 0, 0, 0, 0);
    const strip = tokenStripData(sample({ spikeTrains: [{ layer: 'conv_spike', numSteps: 1, positions: 3, channels: 2, spikes }] }), model);
    expect(Array.from(strip.rawDrive)).toEqual([1.5, 0.5, 0]);
    expect(Array.from(strip.drive)).toEqual([1, Math.fround(1 / 3), 0]);
    expect(strip.known).toEqual([true, false, true]);
  });

  it('shares a stacked layer’s spikes over all the tokens its channels cover', () => {
    const stacked: StripModel = { layers: [{ name: 'spike2', kind: 'neuron', positional: true, spans: [3] }] };
    const spikes = Float32Array.of(3, 0);
    const strip = tokenStripData(sample({ tokens: ['a', 'b', 'c', 'd'], tokenIds: [1, 2, 3, 4], spikeTrains: [{ layer: 'spike2', numSteps: 1, positions: 2, channels: 1, spikes }] }), stacked);
    expect(Array.from(strip.rawDrive)).toEqual([1, 1, 1, 0]);
  });

  it('falls back to per-position totals over the narrowest window without a train', () => {
    const strip = tokenStripData(sample(), model);
    expect(Array.from(strip.rawDrive)).toEqual([4, 0, 2]);
  });

  it('builds batch rows with labels and the twin', () => {
    const result = { samples: [sample()] } as unknown as BatchResult;
    expect(batchRows(['fine zzz film'], ['1'], result)).toEqual([
      { text: 'fine zzz film', label: '1', predicted: 1, scores: [1, 3], annPredicted: 0, annScores: [0.5, 0.25] },
    ]);
    expect(batchRows(['x'], null, result)[0].label).toBeNull();
  });

  it('notices a text of unknown words only', () => {
    expect(allUnknown(sample())).toBe(false);
    expect(allUnknown(sample({ unknownTokens: ['fine', 'zzz', 'film'] }))).toBe(true);
  });
});
