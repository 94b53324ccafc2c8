/** Scores that are not finite numbers end in an error, never in a label (CPU backend). */
import { describe, expect, it } from 'vitest';
import { parseModel, serializeModel } from '../model/format';
import { makeRandomTextCnn } from '../model/random-model';
import { ModelOutputError } from './errors';
import { Engine } from './engine';

const WORDS = 'the a film is good bad great boring and but not very fun dull story acting movie plot love hate it'.split(' ');

function model(edit: (weights: Map<string, Float32Array>) => void = () => {}) {
  const { config, weights } = makeRandomTextCnn({ vocabulary: WORDS, dim: 12, widths: [2, 3], filters: 4, classes: ['negative', 'positive'], seed: 3 });
  edit(weights as Map<string, Float32Array>);
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

describe('engine: non-finite scores', () => {
  it('weights that overflow float32 in the ANN twin give a ModelOutputError naming the class, not a label', async () => {
    // Every weight at the largest magnitude the format allows: the twin's output sum overflows.
    const huge = model((weights) => {
      for (const values of weights.values()) values.fill(1e20);
    });
    const engine = new Engine({ backend: 'cpu' });
    try {
      const run = engine.classify(huge, ['a good film', 'the plot was boring'], { numSteps: 4, encoding: 'direct', seed: 1 });
      await expect(run).rejects.toBeInstanceOf(ModelOutputError);
      await expect(run).rejects.toThrow(/^The model's ANN twin score for class "(negative|positive)" on text \d is (Infinity|-Infinity|NaN), not a finite number/);
    } finally {
      engine.dispose();
    }
  });

  it('an ordinary model gives finite scores and a label', async () => {
    const engine = new Engine({ backend: 'cpu' });
    try {
      const result = await engine.classify(model(), ['a good film'], { numSteps: 4, encoding: 'rate', seed: 1 });
      expect(result.samples[0].scores.every(Number.isFinite)).toBe(true);
      expect(result.samples[0].ann!.scores.every(Number.isFinite)).toBe(true);
      expect(['negative', 'positive']).toContain(result.samples[0].label);
    } finally {
      engine.dispose();
    }
  });
});
