import { describe, expect, it } from 'vitest';
import { makeRandomTextCnn } from '../model/random-model';
import { renderModelCard, trainableParameters } from './card';
import { finetunedConfig } from './finetune-command';
import type { FinetuneRecord } from './finetune-run';

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

  it('puts a baseline evaluated on the same test split beside the model: accuracy, parameters, energy', () => {
    const { config, weights } = makeRandomTextCnn({ vocabulary: ['a', 'b'], dim: 4, widths: [2], filters: 2, classes: ['neg', 'pos'], seed: 1 });
    const layerWeights = new Map([...weights].filter(([name]) => name !== 'embedding') as [string, Float32Array][]);
    // conv 2 × 2 × 4 and fc 2 × 2: 20 parameters; the IF neurons learn nothing.
    expect(trainableParameters({ spec: config.network, weights: layerWeights })).toBe(20);
    config.metrics = {
      dataset: 'sst2',
      testSize: 1821,
      seed: 1,
      backend: 'test',
      ann: { accuracy: 0.77 },
      snn: [{ numSteps: 4, encoding: 'direct', accuracy: 0.795, agreementWithAnn: 0.9, energyPerSentence: { annMicrojoules: 2.29, snnMicrojoules: 2.3, ratio: 1 }, firingRates: {} }],
      parameters: 20,
      baseline: { model: 'out/sst2-lstm', name: 'SST-2 LSTM baseline (128 units)', accuracy: 0.8, parameters: 118018, microjoules: 9.61, numSteps: null },
    };
    const card = renderModelCard(config, 'x');
    expect(card).toContain('### Against SST-2 LSTM baseline (128 units)');
    expect(card).toContain('| this model, T = 4 (direct) | 79.50 | 20 | 2.30 |');
    expect(card).toContain('| SST-2 LSTM baseline (128 units) | 80.00 | 118,018 | 9.61 |');
  });

  it('shows the fine-tuning command and history, epoch 0 as converted, and drops the evaluation of the old weights', () => {
    const { config } = makeRandomTextCnn({ vocabulary: ['a', 'b'], dim: 4, widths: [2], filters: 2, classes: ['neg', 'pos'], seed: 1 });
    config.metrics = { dataset: 'mr', conversion: { method: 'lv-if' }, ann: { accuracy: 0.76 }, snn: [], testSize: 10, evalCommands: ['spikescope eval --model x'] };
    const history = [
      { epoch: 0, trainLoss: null, trainAccuracy: null, devAccuracy: 0.6, devAnnAccuracy: 0.75, seconds: 12 },
      { epoch: 1, trainLoss: 0.61, trainAccuracy: 0.66, devAccuracy: 0.65, devAnnAccuracy: 0.74, seconds: 300 },
    ];
    const record: FinetuneRecord = {
      command: 'spikescope finetune --model a --out b --steps 8', backend: 'test', numSteps: 8, batchSize: 32, learningRate: 1e-4, weightDecay: 0.01,
      surrogate: { kind: 'fast-sigmoid', slope: 25 }, loss: 'cross-entropy of the output spike rate', maxTokens: 64, seed: 1, trainSize: 100, devSize: 50, devSeeds: [2, 3],
      epochs: 1, steps: 4, bestEpoch: 1, history, seconds: 312,
    };
    const tuned = finetunedConfig(config, record);
    expect(tuned.metrics).toEqual({ dataset: 'mr', conversion: { method: 'lv-if' }, finetune: record });
    expect(tuned.defaultEncoding).toBe('rate');
    expect(tuned.provenance.notes).toMatch(/fine-tuned with `spikescope finetune --model a --out b --steps 8`.*kept epoch 1\/1 .*65\.00%, 60\.00% before/);
    const card = renderModelCard(tuned, 'b');
    expect(card).toContain('npm run -s spikescope -- finetune --model a --out b --steps 8');
    expect(card).toContain('best dev SNN accuracy (50 sentences, mean over seeds 2 and 3) is kept');
    expect(card).toContain('| 0 (as converted) | – | – | 60.00 | 75.00 | 12 |');
    expect(card).toContain('| 1 (kept) | 0.6100 | 66.00 | 65.00 | 74.00 | 300 |');
    expect(card).toContain('Not evaluated yet');
  });
});
