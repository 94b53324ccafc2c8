import { describe, expect, it } from 'vitest';
import { DataError } from './dataset';
import type { Dataset, Example } from './dataset';
import { describeSplit, devFromTrain, seededHoldOutIndices, seededOrder, seededTestSplit, splitByIndices, SplitStream } from './split';

const examples = (count: number): Example[] => Array.from({ length: count }, (_, i) => ({ text: `sentence ${i}`, label: i % 2 }));

describe('seeded order', () => {
  it('is a permutation of 0…count−1 that depends only on the seed', () => {
    const order = seededOrder(1000, 7);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(seededOrder(1000, 7)).toEqual(order);
    expect(seededOrder(1000, 8)).not.toEqual(order);
  });

  it('shuffles: the held-out examples are spread over the whole list', () => {
    const held = seededHoldOutIndices(10_000, 0.1, 1);
    const inFirstHalf = held.filter((index) => index < 5000).length;
    expect(inFirstHalf).toBeGreaterThan(400);
    expect(inFirstHalf).toBeLessThan(600);
  });

  it('gives the test and dev streams different orders for one seed', () => {
    expect(seededOrder(100, 3, SplitStream.Dev)).not.toEqual(seededOrder(100, 3, SplitStream.Test));
  });

  it('rejects seeds that are not u32 integers', () => {
    expect(() => seededOrder(10, -1)).toThrow(DataError);
    expect(() => seededOrder(10, 1.5)).toThrow(/must be an integer from 0 to 4294967295/);
  });
});

describe('seeded test split', () => {
  it('holds out round(10 %) of the examples, disjoint from train, both in list order', () => {
    const all = examples(10_662);
    const split = seededTestSplit(all, 1);
    expect(split.test.length).toBe(1066);
    expect(split.train.length).toBe(9596);
    expect(split.testIndices).toEqual([...split.testIndices].sort((a, b) => a - b));
    expect(split.test).toEqual(split.testIndices.map((index) => all[index]));
    const testTexts = new Set(split.test.map((example) => example.text));
    expect(split.train.some((example) => testTexts.has(example.text))).toBe(false);
    expect(new Set([...split.train, ...split.test].map((example) => example.text)).size).toBe(10_662);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(seededTestSplit(examples(500), 4).testIndices).toEqual(seededTestSplit(examples(500), 4).testIndices);
    expect(seededTestSplit(examples(500), 5).testIndices).not.toEqual(seededTestSplit(examples(500), 4).testIndices);
  });

  it('rejects a fraction outside (0, 1)', () => {
    expect(() => seededHoldOutIndices(10, 0, 1)).toThrow(DataError);
    expect(() => seededHoldOutIndices(10, 1, 1)).toThrow(/between 0 and 1/);
  });
});

describe('applying recorded indices', () => {
  it('selects in the order given and keeps the rest in list order', () => {
    const { selected, rest } = splitByIndices(examples(5), [3, 0]);
    expect(selected.map((example) => example.text)).toEqual(['sentence 3', 'sentence 0']);
    expect(rest.map((example) => example.text)).toEqual(['sentence 1', 'sentence 2', 'sentence 4']);
  });

  it('rejects indices outside the list or repeated', () => {
    expect(() => splitByIndices(examples(5), [5])).toThrow(/outside the 5 examples/);
    expect(() => splitByIndices(examples(5), [1, 1])).toThrow(/occurs twice/);
  });
});

describe('dev set from train', () => {
  const seeded = (): Dataset => {
    const { train, test, testIndices } = seededTestSplit(examples(1000), 1);
    return { name: 'mr', language: 'en', classes: ['negative', 'positive'], train, test, split: { kind: 'seeded', seed: 1, testFraction: 0.1, testIndices } };
  };

  it('moves a seeded fraction of train into dev and records the positions', () => {
    const original = seeded();
    const carved = devFromTrain(original, 0.1, 2);
    expect(carved.dev?.length).toBe(90);
    expect(carved.train.length).toBe(810);
    expect(carved.test).toBe(original.test);
    expect(carved.devSplit).toEqual({ seed: 2, fraction: 0.1, trainIndices: expect.any(Array) });
    expect(carved.dev).toEqual(carved.devSplit?.trainIndices.map((index) => original.train[index]));
    const devTexts = new Set(carved.dev?.map((example) => example.text));
    expect(carved.train.some((example) => devTexts.has(example.text))).toBe(false);
    expect(original.train.length).toBe(900);
    expect(devFromTrain(original, 0.1, 2)).toEqual(carved);
  });

  it('refuses a dataset that already has a dev set', () => {
    const withDev = { ...seeded(), dev: examples(3) };
    expect(() => devFromTrain(withDev, 0.1, 1)).toThrow(/already has a dev set \(3 examples\)/);
  });

  it('describes the split for provenance', () => {
    expect(describeSplit(seeded())).toBe('seeded 10% test (seed 1): 900 train / 100 test');
    expect(describeSplit(devFromTrain(seeded(), 0.1, 2))).toBe('seeded 10% test (seed 1), dev = seeded 10% of train (seed 2): 810 train / 90 dev / 100 test');
  });
});
