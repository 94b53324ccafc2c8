import { describe, expect, it } from 'vitest';
import type { SampleResult } from '../engine/types';
import type { EnergyReport } from '../model/energy';
import { neuronInfo, type RasterContext } from './raster-layout';
import { tokenStripData } from './result-views';
import { planRecording, type PlannedModel } from './run-request';

/** The layers of a token-recurrent model as the worker summarises them. */
const layers = [
  { name: 'token_linear', kind: 'conv', positional: true, channels: 2, widths: [1], filters: 2 },
  { name: 'rnn', kind: 'token-recurrent', positional: true, channels: 2, spans: [1, 1] },
  { name: 'pool', kind: 'pool', positional: false, channels: 2 },
  { name: 'fc', kind: 'linear', positional: false, channels: 2 },
  { name: 'fc_spike', kind: 'neuron', positional: false, channels: 2 },
];

describe('the app with a token-recurrent layer', () => {
  it('records its spike trains and membrane as a spiking layer over positions', () => {
    const model: PlannedModel = { tokenizer: 'english', layers };
    const plan = planRecording(model, 'a fine film', 8, { layer: 'rnn', neuron: 3 });
    expect(plan.record.spikeLayers).toEqual(['rnn', 'fc_spike']);
    expect(plan.record.membrane).toEqual([{ layer: 'rnn', neurons: [3] }]);
  });

  it('credits its spikes to the words, one position per word', () => {
    // 3 positions × 2 units, 2 steps: position 1 fires twice on unit 0, position 2 once on unit 1.
    const spikes = Float32Array.of(0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0);
    const sample = {
      tokens: ['not', 'bad', 'film'],
      tokenIds: [1, 2, 3],
      activity: [],
      energy: {} as EnergyReport,
      spikeTrains: [{ layer: 'rnn', numSteps: 2, positions: 3, channels: 2, spikes }],
    } as unknown as SampleResult;
    expect(Array.from(tokenStripData(sample, { layers }).rawDrive)).toEqual([0, 2, 1]);
  });

  it('names its neurons by position and word in the raster', () => {
    const context: RasterContext = { tokens: ['not', 'bad'], paddedLength: 2, conv: { widths: [1], filters: 2 }, classes: ['negative', 'positive'], population: 1 };
    const train = { layer: 'rnn', role: 'positional' as const, numSteps: 2, positions: 2, channels: 2, spikes: new Float32Array(8) };
    const info = neuronInfo(train, 3, context);
    expect(info.position).toBe(1);
    expect(info.token).toBe('bad');
    expect(info.masked).toBe(false);
  });
});
