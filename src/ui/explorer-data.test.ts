import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explorerFromCards, paretoFront, pointEnergy } from './explorer-data';

const MODELS = 'public/models';
const FILE = join(MODELS, 'explorer.json');

describe('the accuracy–energy explorer', () => {
  it('keeps the Pareto front: nothing on it is beaten in both accuracy and energy', () => {
    const points = [
      { energy: 1, accuracy: 0.7 },
      { energy: 2, accuracy: 0.69 },
      { energy: 2, accuracy: 0.8 },
      { energy: 3, accuracy: 0.8 },
      { energy: 5, accuracy: 0.85 },
      { energy: 0.5, accuracy: 0.5 },
    ];
    expect(paretoFront(points)).toEqual([points[5], points[0], points[2], points[4]]);
  });

  it('reads every run of a card, with the energy under each preset the card has', () => {
    const metrics = {
      dataset: 'mr',
      split: 'test',
      ann: { accuracy: 0.76 },
      snn: [
        { numSteps: 8, encoding: 'direct', accuracy: 0.75, firingRates: { conv_spike: 0.1 }, energyPerSentence: { snnMicrojoules: 1, annMicrojoules: 2 }, presets: { int45: { snnMicrojoules: 0.1, annMicrojoules: 0.2 } } },
        { numSteps: 4, encoding: 'rate', accuracy: 0.7, firingRates: { conv_spike: 0.2 }, energyPerSentence: { snnMicrojoules: 0.5, annMicrojoules: 2 } },
        { numSteps: 16, encoding: 'rate' },
      ],
    };
    const { points } = explorerFromCards([
      { id: 'a', name: 'A', metrics, twin: true },
      { id: 'mine', name: 'trained here', metrics: { ...metrics, split: 'dev' }, twin: true },
    ]);
    expect(points.map((p) => [p.model, p.numSteps, p.encoding])).toEqual([
      ['a', 4, 'rate'],
      ['a', 8, 'direct'],
    ]);
    expect(pointEnergy(points[1], 'int45')).toEqual({ snn: 0.1, ann: 0.2, preset: 'int45' });
    expect(pointEnergy(points[0], 'int45')).toEqual({ snn: 0.5, ann: 2, preset: 'float45' });
  });

  it('models/explorer.json holds the points of the shipped cards (EXPLORER=write rewrites it)', () => {
    const models = readdirSync(MODELS)
      .filter((id) => existsSync(join(MODELS, id, 'model.json')))
      .sort()
      .map((id) => {
        const config = JSON.parse(readFileSync(join(MODELS, id, 'model.json'), 'utf8'));
        const layers = config.network.layers as { kind: string }[];
        return { id, name: config.name as string, metrics: config.metrics as unknown, twin: !layers.some((layer) => layer.kind === 'sequence-neuron') };
      });
    const expected = explorerFromCards(models);
    if (process.env.EXPLORER === 'write') writeFileSync(FILE, `${JSON.stringify(expected, null, 1)}\n`);
    expect(JSON.parse(readFileSync(FILE, 'utf8'))).toEqual(expected);
    expect(new Set(expected.points.map((p) => p.dataset))).toEqual(new Set(['mr', 'sst2', 'sst5', 'subj', 'chnsenticorp', 'waimai']));
  });
});
