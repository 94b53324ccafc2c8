import { describe, expect, it } from 'vitest';
import { largestEnergy, parseCardMetrics, runEnergy } from './card-metrics';

describe('card metrics', () => {
  it('reads the training CLI schema, sorting runs by encoding then T', () => {
    const card = parseCardMetrics({
      dataset: 'sst2',
      split: 'test',
      testSize: 1821,
      ann: { accuracy: 0.81 },
      snn: [
        { numSteps: 50, encoding: 'rate', accuracy: 0.79, energyPerSentence: { annMicrojoules: 36, snnMicrojoules: 150 }, firingRates: { conv_spike: 0.1 } },
        { numSteps: 8, encoding: 'rate', accuracy: 0.74, energyPerSentence: { annMicrojoules: 36, snnMicrojoules: 25 }, firingRates: {} },
        { numSteps: 4, encoding: 'direct', accuracy: 0.8, energyPerSentence: { annMicrojoules: 36, snnMicrojoules: 30 } },
      ],
    });
    expect(card?.dataset).toBe('sst2');
    expect(card?.annAccuracy).toBe(0.81);
    expect(card?.runs.map((run) => `${run.encoding}${run.numSteps}`)).toEqual(['rate8', 'rate50', 'direct4']);
    expect(card?.runs[1].firingRates).toEqual({ conv_spike: 0.1 });
    expect(card?.runs[2].firingRates).toEqual({});
  });

  it('is null when the card has nothing to show (free-form or empty metrics)', () => {
    expect(parseCardMetrics({})).toBeNull();
    expect(parseCardMetrics(undefined)).toBeNull();
    expect(parseCardMetrics({ 'sst2.test.accuracy': 0.8 })).toBeNull();
    expect(parseCardMetrics({ snn: [{ encoding: 'rate' }] })).toBeNull();
  });

  it('keeps a run whose fields are partly missing, with nulls', () => {
    const card = parseCardMetrics({ snn: [{ numSteps: 16, accuracy: 'high' }] });
    expect(card?.runs[0]).toEqual({ numSteps: 16, encoding: 'rate', accuracy: null, annMicrojoules: null, snnMicrojoules: null, agreementWithAnn: null, presets: {}, firingRates: {} });
    expect(card?.dataset).toBeNull();
    expect(card?.footprint).toBeNull();
  });

  it("reads each run's agreement with the ANN and the footprint, for the table's explanations", async () => {
    const card = parseCardMetrics({
      ann: { accuracy: 0.8775 },
      snn: [{ numSteps: 4, encoding: 'rate', accuracy: 0.8775, agreementWithAnn: 1, energyPerSentence: { annMicrojoules: 7.04, snnMicrojoules: 0.95 }, firingRates: { input: 0.026, conv_spike: 0.026 } }],
      footprint: { parameters: 366160, bytes: 601960, connectionSparsity: 0.0002 },
    });
    expect(card?.runs[0].agreementWithAnn).toBe(1);
    expect(card?.footprint).toEqual({ parameters: 366160, bytes: 601960, connectionSparsity: 0.0002 });
    expect(parseCardMetrics({ ann: { accuracy: 0.5 }, footprint: { parameters: 'many' } })?.footprint).toBeNull();
    // Under a preset the card has, its figures; under one it lacks, the 45 nm float ones, said so.
    const priced = parseCardMetrics({
      snn: [{ numSteps: 4, encoding: 'rate', accuracy: 0.9, energyPerSentence: { annMicrojoules: 7, snnMicrojoules: 1 }, presets: { loihi: { annMicrojoules: 1300, snnMicrojoules: 25, ratio: 0.02 }, int45: { annMicrojoules: 'x' } } }],
    })!;
    expect(priced.runs[0].presets).toEqual({ loihi: { snn: 25, ann: 1300 } });
    expect(runEnergy(priced.runs[0], 'loihi')).toEqual({ annMicrojoules: 1300, snnMicrojoules: 25, preset: 'loihi' });
    expect(runEnergy(priced.runs[0], 'int45')).toEqual({ annMicrojoules: 7, snnMicrojoules: 1, preset: 'float45' });
    const { runAccuracyTitle, firingTitle } = await import('./snn-model-card');
    expect(runAccuracyTitle(card!.runs[0], card!.annAccuracy)).toBe('SNN 87.75 % at T = 4, rate input; ANN twin 87.75 %; the two predict the same class for 100.00 % of the texts');
    expect(firingTitle(card!.runs[0])).toBe('from these firing rates (spikes per neuron per step, mean over the texts): input 0.026, conv_spike 0.026');
  });
});

describe('largestEnergy', () => {
  it('finds the largest of many runs without spreading them into Math.max', () => {
    const runs = Array.from({ length: 500_000 }, (_, i) => ({ snnMicrojoules: i % 1000, annMicrojoules: i === 123_456 ? 5000 : null }));
    expect(largestEnergy(runs)).toBe(5000);
    expect(largestEnergy([])).toBe(1e-9);
  });
});

describe('largestEnergy', () => {
  it('handles a card of 200,000 runs without spreading them into Math.max (no stack overflow)', () => {
    const runs = Array.from({ length: 200_000 }, (_, i) => ({ snnMicrojoules: i % 1000, annMicrojoules: i === 123_456 ? 5000 : 1 }));
    expect(largestEnergy(runs)).toBe(5000);
    expect(largestEnergy([])).toBe(1e-9);
  });
});

describe('a card with a baseline', () => {
  it('reads the baseline evaluated beside the model, and the model\'s parameters', () => {
    const card = parseCardMetrics({
      ann: { accuracy: 0.78 },
      snn: [{ numSteps: 4, encoding: 'direct', accuracy: 0.8, energyPerSentence: { annMicrojoules: 2, snnMicrojoules: 2.1 } }],
      parameters: 26_000,
      baseline: { name: 'SST-2 LSTM baseline (128 units)', accuracy: 0.81, parameters: 118_018, microjoules: 9.6 },
    });
    expect(card?.parameters).toBe(26_000);
    expect(card?.baseline).toEqual({ name: 'SST-2 LSTM baseline (128 units)', accuracy: 0.81, parameters: 118_018, microjoules: 9.6 });
    expect(parseCardMetrics({ ann: { accuracy: 0.7 }, baseline: { accuracy: 1 } })?.baseline).toBeNull();
  });
});
