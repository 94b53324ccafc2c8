/**
 * Exported models run as NIR graphs give Spikescope's own results: the same labels and scores
 * (spike counts, or summed readouts) for real sentences, on the CPU reference of the NIR runner
 * against the engine.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine';
import { loadModelDir } from '../model/node-io';
import { compileNir } from './compile';
import { exportModel, nirInputForText } from './export';
import { readNir } from './read';
import { runNirReference } from './reference';
import { writeNir } from './write';
import { tokenize } from '../model/tokenizer';
import { importNir } from './import';
import { withLayerWeights } from '../train/finetune-command';
import { readFileSync } from 'node:fs';

const SENTENCES = [
  'a dull , flat film',
  'a gripping , beautifully acted film that stays with you',
  'the plot is thin and the jokes fall flat',
  'neither funny nor moving , just long',
  'an uneven but often delightful comedy',
  'i would not recommend it to anyone',
  'a quiet , touching portrait of a family',
];

/** Scores of the exported graph: its output summed over the steps (plus the readout bias), per class. */
function nirScores(output: Float32Array, size: number, steps: number, bias: number[] | undefined, biasTimes: number, population: number): number[] {
  const sums = new Float64Array(size);
  for (let t = 0; t < steps; t++) for (let i = 0; i < size; i++) sums[i] += output[t * size + i];
  if (bias) for (let i = 0; i < size; i++) sums[i] += biasTimes * bias[i];
  const classes = size / population;
  return Array.from({ length: classes }, (_, c) => {
    let s = 0;
    for (let k = 0; k < population; k++) s += sums[c * population + k];
    return s;
  });
}

describe('a model exported to NIR runs as Spikescope runs it', () => {
  it('LITE-SNN (along the words): the same labels and scores', async () => {
    const model = await loadModelDir('public/models/sst2-lite-snn');
    const exported = exportModel(model);
    expect(exported.layout).toBe('words');
    // Through the file and back, as another tool would receive it.
    const graph = readNir(writeNir(exported.graph)).graph;
    const program = compileNir(graph, { dt: exported.dt, reset: exported.reset });
    const engine = new Engine({ backend: 'reference' });
    const T = model.config.numSteps;
    const result = await engine.classify(model, SENTENCES, { numSteps: T, encoding: 'direct', seed: model.config.seed });
    engine.dispose();
    const fc = graph.nodes.get('fc')!;
    const bias = fc.metadata?.['spikescope.bias'] as number[] | undefined;
    expect(bias).toHaveLength(2);
    SENTENCES.forEach((text, i) => {
      const input = nirInputForText(model, exported, text);
      const trace = runNirReference(program, input.values, input.steps);
      const out = trace.nodes.find((n) => n.path === 'output')!;
      const scores = nirScores(out.output!, 2, input.steps, bias, T, 1);
      const engineScores = result.samples[i].scores;
      scores.forEach((s, c) => expect(Math.abs(s - engineScores[c]), `${text}: ${scores} vs ${engineScores}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(engineScores[c]))));
      expect(scores.indexOf(Math.max(...scores))).toBe(result.samples[i].labelIndex);
    });
  });

  it('the IF TextCNN (over positions, rate input, v_init through the pulse channel): the same spike counts', async () => {
    const model = await loadModelDir('public/models/mr-textcnn');
    const T = model.config.numSteps;
    const engine = new Engine({ backend: 'reference' });
    const result = await engine.classify(model, SENTENCES, { numSteps: T, encoding: 'rate', seed: model.config.seed });
    engine.dispose();
    for (let i = 0; i < SENTENCES.length; i++) {
      const tokens = tokenize(SENTENCES[i], model.config.tokenizer).length;
      const exported = exportModel(model, { length: Math.max(tokens, model.spec.encoder.minLength) });
      expect(exported.pulse).toBe(true);
      const program = compileNir(readNir(writeNir(exported.graph)).graph, { dt: exported.dt, reset: exported.reset });
      const input = nirInputForText(model, exported, SENTENCES[i]);
      const trace = runNirReference(program, input.values, input.steps);
      const out = trace.nodes.find((n) => n.path === 'output')!;
      const counts = nirScores(out.output!, 2, input.steps, undefined, 0, 1);
      expect(counts, SENTENCES[i]).toEqual(result.samples[i].scores);
    }
  });

  it('LITE-SNN exported and imported back is the same classifier', async () => {
    const model = await loadModelDir('public/models/sst2-lite-snn');
    const exported = exportModel(model);
    const graph = readNir(writeNir(exported.graph)).graph;
    const imported = importNir(graph, { embedding: model, dt: exported.dt, reset: exported.reset, fileName: 'lite.nir' });
    expect(imported.config.network.readout.classes).toEqual(['negative', 'positive']);
    expect(imported.config.numSteps).toBe(4);
    const back = withLayerWeights(model, imported.weights, imported.config.network);
    const engine = new Engine({ backend: 'reference' });
    const options = { numSteps: 4, encoding: 'direct' as const, seed: 1 };
    const [original, again] = [await engine.classify(model, SENTENCES, options), await engine.classify(back, SENTENCES, options)];
    engine.dispose();
    SENTENCES.forEach((text, i) => {
      expect(again.samples[i].labelIndex, text).toBe(original.samples[i].labelIndex);
      again.samples[i].scores.forEach((s, c) => expect(Math.abs(s - original.samples[i].scores[c]), text).toBeLessThan(1e-3 * Math.max(1, Math.abs(original.samples[i].scores[c]))));
    });
  });

  it('a graph that is no text classifier is refused with the reason', async () => {
    const model = await loadModelDir('public/models/sst2-lite-snn');
    const graph = readNir(new Uint8Array(readFileSync('fixtures/nir/snntorch-recurrent-cubalif.nir'))).graph;
    expect(() => importNir(graph, { embedding: model, dt: 1e-4, reset: 'subtract', fileName: 'r.nir' })).toThrow(
      "r.nir can be run (spikescope nir run, the app's NIR graphs tab) but not used as a text classifier: '1.lif' has a recurrent edge",
    );
    expect(() => importNir(graph, { embedding: model, dt: 1e-4, reset: 'subtract-delayed', fileName: 'r.nir' })).toThrow(/reset at once, not at the next step/);
  });

  it('refuses what NIR cannot hold, in one line', async () => {
    const bif = await loadModelDir('public/models/mr-textcnn-bif');
    expect(() => exportModel(bif)).toThrow("cannot export to NIR: layer 'conv_spike' has BIF neurons, which fire negative spikes; NIR's neurons fire only positive ones");
    const binary = await loadModelDir('public/models/sst2-rnn-bif');
    expect(() => exportModel(binary)).toThrow(/cannot export to NIR: /);
  });
});
