import { describe, expect, it } from 'vitest';
import { neuronInfo, neuronSpikes, sequenceStep, sequenceTrain, type RasterContext } from './raster-layout';

/** Neurons over the words (LITE-SNN): the raster shows each neuron's spikes along the whole sentence. */
describe('the raster of a sequence-neuron layer', () => {
  // T = 2 steps per word, 3 words, 2 neurons: spikes[t][p][c].
  const T = 2;
  const P = 3;
  const C = 2;
  const spikes = new Float32Array(T * P * C);
  const at = (t: number, p: number, c: number) => (t * P + p) * C + c;
  spikes[at(0, 0, 1)] = 1; // word 0, step 0, neuron 1
  spikes[at(1, 2, 0)] = 1; // word 2, step 1, neuron 0
  const context: RasterContext = { tokens: ['a', 'fine', 'film'], paddedLength: 3, conv: null, classes: ['neg', 'pos'], population: 1 };
  const train = sequenceTrain({ layer: 'words', numSteps: T, positions: P, channels: C, spikes });

  it('lays the words out one after the other along time, one row per neuron', () => {
    expect(train).toMatchObject({ role: 'sequence', numSteps: T * P, positions: 1, channels: C, window: T });
    expect(Array.from(neuronSpikes(train, 1))).toEqual([1, 0, 0, 0, 0, 0]);
    expect(Array.from(neuronSpikes(train, 0))).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('names a neuron by its channel and a step by its word', () => {
    expect(neuronInfo(train, 1, context)).toMatchObject({ layer: 'words', neuron: 1, position: null, role: 'its membrane carried from word to word' });
    expect(sequenceStep(train, 5, context)).toEqual({ word: 2, token: 'film', step: 1 });
    expect(sequenceStep({ ...train, role: 'hidden' }, 5, context)).toBeNull();
  });
});
