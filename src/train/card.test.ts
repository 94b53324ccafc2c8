import { describe, expect, it } from 'vitest';
import { makeRandomTextCnn } from '../model/test-model';
import { renderModelCard } from './card';

describe('model card', () => {
  it('says how the model was made and shows every evaluated T with its energy and firing rates', () => {
    const { config } = makeRandomTextCnn({ vocabulary: ['a', 'b'], dim: 4, widths: [2], filters: 2, classes: ['neg', 'pos'], seed: 1 });
    config.provenance.command = 'spikescope train --dataset mr --out x';
    config.metrics = {
      dataset: 'mr',
      testSize: 1066,
      seed: 1,
      backend: 'test',
      ann: { accuracy: 0.76 },
      snn: [{ numSteps: 8, encoding: 'rate', accuracy: 0.7, agreementWithAnn: 0.9, energyPerSentence: { annMicrojoules: 10, snnMicrojoules: 5, ratio: 0.5 }, firingRates: { input: 0.5, conv_spike: 0.1 } }],
      evalCommands: ['spikescope eval --model x --steps 8'],
    };
    const card = renderModelCard(config, 'x');
    expect(card).toContain('npm run -s spikescope -- train --dataset mr --out x');
    expect(card).toContain('ANN twin accuracy: **76.00 %**');
    expect(card).toMatch(/\| 8 \| rate \| 70\.00 \| 90\.0 \| 5\.00 \| 10\.00 \| 0\.500 \| 0\.500 \| 0\.100 \|/);
    expect(card).toContain('npm run -s spikescope -- eval --model x --steps 8');
  });
});
