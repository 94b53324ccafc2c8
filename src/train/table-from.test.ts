import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset';
import { loadModelDir } from '../model/node-io';
import { embeddingTensor } from './export';
import { prepareVocabulary } from './pipeline';
import { vocabularyFromLearnedModel } from './prepare';

/** A dataset with no sentences: `prepareVocabulary` with a table from a model reads none. */
function emptyDataset(name: Dataset['name'], language: Dataset['language']): Dataset {
  return { name, language, classes: ['negative', 'positive'], train: [], test: [], split: { kind: 'given' } } as Dataset;
}

describe('a learned table taken from a trained model (train --table-from)', () => {
  it('keeps the 8-bit values and words, and makes the table binary at μ + kσ of its own statistics', async () => {
    const source = await loadModelDir('public/models/chnsenticorp-textcnn-bif');
    const prepared = vocabularyFromLearnedModel(source, 1.25);
    const width = source.config.network.encoder.embeddingDim;
    expect(prepared.dim).toBe(width - 1);
    expect(prepared.tokenizer).toBe('chinese');
    expect(prepared.language).toBe('zh');
    expect(prepared.learned).toBe(false);
    expect(prepared.vocabulary.words).toEqual(source.vocabulary.words);
    expect(prepared.stored!.dtype).toBe('U8');
    const rows = source.vocabulary.size;
    let ones = 0;
    const threshold = Math.fround(prepared.mean + Math.fround(1.25 * prepared.std));
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < prepared.dim; d++) {
        const x = source.embeddings[r * width + d];
        // The stored byte is the source's byte, so the new model ships the very table it was trained on.
        expect(prepared.stored!.data[r * prepared.dim + d] * prepared.stored!.quantScale).toBeCloseTo(x, 6);
        const p = prepared.probabilities[r * prepared.dim + d];
        expect(p).toBe(x >= threshold ? 1 : 0);
        ones += p;
      }
    }
    // A sparse code: well under half of the components fire.
    expect(ones / (rows * prepared.dim)).toBeGreaterThan(0.02);
    expect(ones / (rows * prepared.dim)).toBeLessThan(0.3);
    // Exported with its presence component at the top of the 8-bit range (probability 1).
    const { record, config } = embeddingTensor(prepared, new Float32Array(0), 0);
    expect(config.quantScale).toBe(prepared.stored!.quantScale);
    expect('dtype' in record && record.dtype).toBe('U8');
    const data = (record as { data: Uint8Array }).data;
    expect(data[prepared.dim]).toBe(255);
    expect(Array.from(data.subarray(0, prepared.dim))).toEqual(Array.from(prepared.stored!.data.subarray(0, prepared.dim)));
  }, 60_000);

  it('refuses a frozen GloVe table, a threshold no component reaches, and a table in the other script', async () => {
    const glove = await loadModelDir('public/models/mr-textcnn-bif');
    expect(() => vocabularyFromLearnedModel(glove, 1)).toThrow(/has no learned 8-bit table to take \(its table is glove/);
    const chinese = await loadModelDir('public/models/chnsenticorp-textcnn-bif');
    expect(() => vocabularyFromLearnedModel(chinese, 9)).toThrow(/no component of .* is at or above μ \+ 9σ: lower --binary-input/);
    await expect(prepareVocabulary(emptyDataset('mr', 'en'), { characterDim: 64, seed: 1, clipSigmas: 3, clipLowSigmas: 3, tableFrom: 'public/models/chnsenticorp-textcnn-bif' })).rejects.toThrow(
      /reads chinese tokens; mr needs english ones/,
    );
  }, 60_000);

  it('the shipped binary ChnSentiCorp model reads exactly the table its command names', async () => {
    const shipped = await loadModelDir('public/models/chnsenticorp-textcnn-binary');
    const source = await loadModelDir('public/models/chnsenticorp-textcnn-bif');
    const encoder = shipped.config.network.encoder;
    const prepared = vocabularyFromLearnedModel(source, encoder.binarySigmas);
    expect(encoder.binarySigmas).toBe(1.25);
    expect(shipped.vocabulary.words).toEqual(source.vocabulary.words);
    expect(Buffer.from(shipped.embeddings.buffer).equals(Buffer.from(source.embeddings.buffer))).toBe(true);
    const width = encoder.embeddingDim;
    for (let r = 0; r < shipped.vocabulary.size; r++) {
      for (let d = 0; d < prepared.dim; d++) expect(shipped.probabilities[r * width + d]).toBe(prepared.probabilities[r * prepared.dim + d]);
      expect(shipped.probabilities[r * width + prepared.dim]).toBe(1);
    }
  }, 60_000);
});
