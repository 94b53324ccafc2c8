/**
 * Golden outputs of every shipped model: for the first 200 sentences of its test split, at its
 * default T, encoding and seed, the label, scores, ANN-twin label and scores, spike events per
 * layer and energy totals, on the CPU reference and on the GPU. A change of design must reproduce
 * them exactly; a deliberate change of results rewrites them with `GOLDENS=write` and says why.
 *
 *   GOLDENS=write npx vitest run src/engine/goldens.test.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDatasetName } from '../data/dataset';
import { loadDataset } from '../data/load';
import { loadModelDir } from '../model/node-io';
import { nodeGpu } from '../gpu/node-gpu';
import { Engine } from './engine';
import type { RunOptions, SampleResult } from './types';

const MODELS_DIR = 'public/models';
const GOLDENS_DIR = 'src/engine/goldens';
const SENTENCES = 200;
const writing = process.env.GOLDENS === 'write';

interface GoldenSample {
  label: number;
  scores: number[];
  ann: number;
  annScores: number[];
  /** Spike events per layer (the input first), in the order of `layers`. */
  events: number[];
  annPicojoules: number;
  snnPicojoules: number;
}

interface GoldenFile {
  model: string;
  dataset: string;
  options: RunOptions;
  /** Sentences used (the first of the test split), with a checksum of their text. */
  sentences: number;
  textChecksum: number;
  layers: string[];
  cpu: GoldenSample[];
  gpu: GoldenSample[];
}

function checksum(texts: string[]): number {
  let hash = 2166136261;
  for (const text of texts) {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
    hash = Math.imul(hash ^ 10, 16777619) >>> 0;
  }
  return hash;
}

function golden(sample: SampleResult): GoldenSample {
  return {
    label: sample.labelIndex,
    scores: sample.scores,
    ann: sample.ann!.labelIndex,
    annScores: sample.ann!.scores,
    events: sample.activity.map((layer) => layer.spikeCount),
    annPicojoules: sample.energy.annEnergyPicojoules,
    snnPicojoules: sample.energy.snnEnergyPicojoules,
  };
}

const models = readdirSync(MODELS_DIR).filter((name) => existsSync(join(MODELS_DIR, name, 'model.json')));

describe('golden outputs of the shipped models', () => {
  it('covers every shipped model', () => {
    const files = readdirSync(GOLDENS_DIR).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(models.map((name) => `${name}.json`).sort());
  });

  for (const name of models) {
    it(`${name}: labels, scores, spike events and energy of ${SENTENCES} test sentences (CPU reference, WebAssembly and GPU)`, async () => {
      const model = await loadModelDir(join(MODELS_DIR, name));
      const dataset = String(model.config.metrics.dataset);
      if (!isDatasetName(dataset)) throw new Error(`${name}: unknown dataset ${dataset}`);
      const split = (model.config.metrics.testSplit ?? {}) as { seed?: number };
      const { test } = await loadDataset(dataset, { seed: split.seed ?? 1 });
      const texts = test.slice(0, SENTENCES).map((example) => example.text);
      const options: RunOptions = { numSteps: model.config.numSteps, encoding: model.config.defaultEncoding, seed: model.config.seed };
      const outputs: Record<'cpu' | 'gpu', GoldenSample[]> = { cpu: [], gpu: [] };
      // The WebAssembly backend must give the reference's goldens exactly.
      let fast: GoldenSample[] = [];
      let layers: string[] = [];
      for (const backend of ['reference', 'cpu', 'gpu'] as const) {
        const engine = new Engine({ backend, gpu: nodeGpu });
        try {
          const result = await engine.classify(model, texts, options);
          expect(result.backend).toBe(backend === 'gpu' ? 'gpu' : 'cpu');
          if (backend === 'cpu') fast = result.samples.map(golden);
          else outputs[backend === 'reference' ? 'cpu' : 'gpu'] = result.samples.map(golden);
          layers = result.samples[0].activity.map((layer) => layer.layer);
        } finally {
          engine.dispose();
        }
      }
      const file = join(GOLDENS_DIR, `${name}.json`);
      const actual: GoldenFile = { model: name, dataset, options, sentences: texts.length, textChecksum: checksum(texts), layers, ...outputs };
      if (writing) writeFileSync(file, `${JSON.stringify(actual)}\n`);
      const expected = JSON.parse(readFileSync(file, 'utf8')) as GoldenFile;
      expect(actual.textChecksum, 'the test sentences changed: the dataset is not the one the goldens were made from').toBe(expected.textChecksum);
      expect(actual.layers).toEqual(expected.layers);
      for (const backend of ['cpu', 'gpu'] as const) {
        actual[backend].forEach((sample, i) => expect(sample, `${backend}, sentence ${i}: ${texts[i].slice(0, 60)}`).toEqual(expected[backend][i]));
      }
      fast.forEach((sample, i) => expect(sample, `WebAssembly, sentence ${i}: ${texts[i].slice(0, 60)}`).toEqual(expected.cpu[i]));
    }, 600_000);
  }
});
