import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingStatistics } from '../model/encoding';
import { DataError } from './dataset';
import { defaultGlovePath, GloveTableBuilder, readGlove } from './glove';
import type { GloveTable } from './glove';
import { defaultDataDir } from './load';

function build(lines: string[], options = {}): GloveTable {
  const builder = new GloveTableBuilder(options);
  for (const line of lines) builder.addLine(line);
  return builder.finish();
}

describe('GloVe lines to a table', () => {
  it('collects words and row-major vectors in file order', () => {
    const table = build(['the 0.5 -1', ', 2 3e-1', 'of -0.25 4']);
    expect(table.words).toEqual(['the', ',', 'of']);
    expect(table.dim).toBe(2);
    expect(Array.from(table.vectors)).toEqual([0.5, -1, 2, Math.fround(0.3), -0.25, 4]);
  });

  it('skips and counts malformed lines: wrong width, non-numbers, empty word', () => {
    const table = build(['good 1 2', 'short 1', 'long 1 2 3', 'text 1 x', 'nan 1 NaN', ' 1 2', 'double  1', 'fine 3 4']);
    expect(table.words).toEqual(['good', 'fine']);
    expect(table.malformedLines).toBe(6);
  });

  it('ignores blank lines and trailing spaces or CR, and a word2vec header', () => {
    const table = build(['2 2', 'a 1 2 ', '', 'b 3 4\r']);
    expect(table.words).toEqual(['a', 'b']);
    expect(table.malformedLines).toBe(0);
  });

  it('keeps the first row of a repeated word and counts the repeat', () => {
    const table = build(['a 1', 'a 2', 'b 3']);
    expect(table.words).toEqual(['a', 'b']);
    expect(Array.from(table.vectors)).toEqual([1, 3]);
    expect(table.duplicateWords).toBe(1);
  });

  it('keeps words with non-ASCII spaces whole (only the ASCII space separates fields)', () => {
    expect(build(['a\u00a0b 1 2']).words).toEqual(['a\u00a0b']);
  });

  it('keeps only vocabulary words, in file order, and stops at the limit', () => {
    const lines = ['w0 0', 'w1 1', 'w2 2', 'w3 3', 'w4 4'];
    expect(build(lines, { vocabulary: ['w3', 'w1', 'missing'] }).words).toEqual(['w1', 'w3']);
    const builder = new GloveTableBuilder({ limit: 2 });
    lines.forEach((line) => builder.addLine(line));
    expect(builder.isFull).toBe(true);
    expect(Array.from(builder.finish().vectors)).toEqual([0, 1]);
  });

  it('grows its buffer past the initial capacity', () => {
    const table = build(Array.from({ length: 3000 }, (_, i) => `w${i} ${i} ${-i}`));
    expect(table.words.length).toBe(3000);
    expect(table.vectors.length).toBe(6000);
    expect(table.vectors[2 * 2999 + 1]).toBe(-2999);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => new GloveTableBuilder({ limit: 0 })).toThrow(DataError);
  });
});

describe('reading a GloVe file', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'spikescope-glove-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('streams a small file with CRLF line ends and reports malformed lines', async () => {
    const path = join(folder, 'small.txt');
    await writeFile(path, 'the 1 2\r\nbroken 1\r\ncafé 3 4\r\n');
    const table = await readGlove(path);
    expect(table.words).toEqual(['the', 'café']);
    expect(Array.from(table.vectors)).toEqual([1, 2, 3, 4]);
    expect(table.malformedLines).toBe(1);
  });

  it('says where the file should be when it is missing', async () => {
    await expect(readGlove(join(folder, 'none.txt'))).rejects.toThrow(/No GloVe vectors at .*none\.txt: pass --data-dir or set SPIKESCOPE_DATA_DIR/);
  });

  it('rejects a file with no vectors in it', async () => {
    const path = join(folder, 'empty.txt');
    await writeFile(path, 'not vectors\n');
    await expect(readGlove(path)).rejects.toThrow(/holds no GloVe vectors \(1 malformed lines\)/);
  });
});

describe('the shared GloVe file (needs shared/data; fails if it is missing)', () => {
  const path = defaultGlovePath(defaultDataDir());
  // Read once, by the first test; without the file every test fails with the DataError.
  let reading: Promise<GloveTable> | undefined;
  const fullTable = (): Promise<GloveTable> => (reading ??= readGlove(path));

  it('holds 65,008 words of dimension 100, none malformed', async () => {
    const table = await fullTable();
    expect(table.words.length).toBe(65_008);
    expect(table.dim).toBe(100);
    expect(table.vectors.length).toBe(6_500_800);
    expect(table.malformedLines).toBe(0);
    expect(table.duplicateWords).toBe(0);
  });

  it('starts with "the" and its vector as written in the file', async () => {
    const table = await fullTable();
    expect(table.words.slice(0, 3)).toEqual(['the', ',', '.']);
    expect(Array.from(table.vectors.subarray(0, 3))).toEqual([-0.038194, -0.24487, 0.72812].map(Math.fround));
  });

  it('lacks the clitics the README warns about but has their words', async () => {
    const table = await fullTable();
    const words = new Set(table.words);
    expect(words.has("n't")).toBe(false);
    expect(words.has('not')).toBe(true);
  });

  it('has subset statistics that differ from the full table (record which ones a model uses)', async () => {
    const table = await fullTable();
    const { mean, std } = embeddingStatistics(table.vectors);
    expect(mean).toBeCloseTo(0.000948, 5);
    expect(std).toBeCloseTo(0.51376, 4);
  });

  it('reads only what a vocabulary and a limit ask for, stopping early', async () => {
    const table = await fullTable();
    const some = await readGlove(path, { vocabulary: ['movie', 'film', 'no-such-word-xyz'], limit: 2 });
    expect([...some.words].sort()).toEqual(['film', 'movie']);
    const rowOf = (words: string[], vectors: Float32Array): Float32Array => vectors.subarray(words.indexOf('movie') * 100, words.indexOf('movie') * 100 + 100);
    expect(rowOf(some.words, some.vectors)).toEqual(rowOf(table.words, table.vectors));
    const first = await readGlove(path, { limit: 10 });
    expect(first.words).toEqual(table.words.slice(0, 10));
    expect(first.vectors).toEqual(table.vectors.slice(0, 1000));
  });
});
