import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classCounts, DataError } from './dataset';
import type { Dataset, DatasetName, Example } from './dataset';
import { DATA_DIR_ENV, defaultDataDir, loadDataset } from './load';

/** The full example list of a seeded dataset, rebuilt from train, test and `testIndices`. */
function rebuildFullList(dataset: Dataset): Example[] {
  if (dataset.split.kind !== 'seeded') throw new Error(`${dataset.name} has a given split`);
  const full: Example[] = new Array(dataset.train.length + dataset.test.length);
  dataset.split.testIndices.forEach((index, k) => (full[index] = dataset.test[k]));
  let trainPosition = 0;
  for (let i = 0; i < full.length; i++) if (full[i] === undefined) full[i] = dataset.train[trainPosition++];
  return full;
}

const allTexts = (dataset: Dataset): string[] => [...dataset.train, ...(dataset.dev ?? []), ...dataset.test].map((example) => example.text);

describe('the six corpora in shared/data (fails, does not skip, if the folder is missing)', () => {
  // Each corpus is read once, by the first test that needs it; without the data every test fails with the DataError.
  const loaded = new Map<DatasetName, Promise<Dataset>>();
  const get = (name: DatasetName): Promise<Dataset> => {
    if (!loaded.has(name)) loaded.set(name, loadDataset(name, { dataDir: defaultDataDir() }));
    return loaded.get(name)!;
  };

  it('MR: 5,331 negative + 5,331 positive, seeded 10 % test of 1,066', async () => {
    const mr = await get('mr');
    expect(mr.classes).toEqual(['negative', 'positive']);
    expect(mr.language).toBe('en');
    expect(classCounts([...mr.train, ...mr.test], 2)).toEqual([5331, 5331]);
    expect(mr.test.length).toBe(1066);
    expect(mr.train.length).toBe(9596);
    expect(mr.dev).toBeUndefined();
  });

  it('SST-2: 6,920 / 872 / 1,821 (2 test sentences also in train, a known issue)', async () => {
    const sst2 = await get('sst2');
    expect([sst2.train.length, sst2.dev?.length, sst2.test.length]).toEqual([6920, 872, 1821]);
    expect(sst2.split).toEqual({ kind: 'given' });
    expect(classCounts(sst2.test, 2)).toEqual([912, 909]);
    const trainTexts = new Set(sst2.train.map((example) => example.text));
    expect(sst2.test.filter((example) => trainTexts.has(example.text)).length).toBe(2);
  });

  it('SST-5: 8,544 / 1,101 / 2,210 over five classes', async () => {
    const sst5 = await get('sst5');
    expect([sst5.train.length, sst5.dev?.length, sst5.test.length]).toEqual([8544, 1101, 2210]);
    expect(sst5.classes).toEqual(['very negative', 'negative', 'neutral', 'positive', 'very positive']);
    expect(classCounts(sst5.train, 5)).toEqual([1092, 2218, 1624, 2322, 1288]);
  });

  it('Subj: 5,000 objective (0) + 5,000 subjective (1), seeded 10 % test of 1,000', async () => {
    const subj = await get('subj');
    expect(subj.classes).toEqual(['objective', 'subjective']);
    expect(classCounts([...subj.train, ...subj.test], 2)).toEqual([5000, 5000]);
    expect(subj.test.length).toBe(1000);
  });

  it('ChnSentiCorp: 9,600 / 1,200 / 1,200, the spaced test label read as 0', async () => {
    const corpus = await get('chnsenticorp');
    expect([corpus.train.length, corpus.dev?.length, corpus.test.length]).toEqual([9600, 1200, 1200]);
    expect(corpus.language).toBe('zh');
    expect(classCounts(corpus.test, 2)).toEqual([598, 602]);
    // Line 419 of test.tsv reads "    0\t环境很不好,…": the 418th example.
    expect(corpus.test[417].label).toBe(0);
    expect(corpus.test[417].text.startsWith('环境很不好,在老火车站旁边')).toBe(true);
  });

  it('Waimai: 4,000 positive + 7,987 negative, seeded 10 % test of 1,199 (7 duplicate texts, a known issue)', async () => {
    const waimai = await get('waimai');
    const all = [...waimai.train, ...waimai.test];
    expect(classCounts(all, 2)).toEqual([7987, 4000]);
    expect(waimai.test.length).toBe(1199);
    expect(all.length - new Set(all.map((example) => example.text)).size).toBe(7);
    expect(all.some((example) => example.text === '送餐时间很准时，但“酸豆角焖肉饭”名字有点误导人，其实就是＂酸豆角炒肉末＂，根本不是"焖肉"啊。这次的米饭也不是他家常给的粗粮饭，就是白米饭')).toBe(true);
  });

  it('decodes MR and Subj as windows-1252: ellipsis, dashes, quotes, accents', async () => {
    const mrTexts = allTexts(await get('mr'));
    expect(mrTexts).toContain('\u2026the maudlin way its story unfolds suggests a director fighting against the urge to sensationalize his material .');
    expect(mrTexts).toContain('the action clichés just pile up .');
    expect(mrTexts.some((text) => text.startsWith('singer/composer bryan adams contributes a slew of songs \u2014 a few potential hits'))).toBe(true);
    const subjTexts = allTexts(await get('subj'));
    expect(subjTexts.some((text) => text.startsWith('the plan to make enough into \u2018an inspiring tale') && text.endsWith('souffl\u00e9 gone wrong .'))).toBe(true);
    const undecoded = [...mrTexts, ...subjTexts].filter((text) => /[\u0080-\u009f\ufffd]/.test(text));
    expect(undecoded).toEqual([]);
  });

  it('records test indices into the full list in file order (negative/objective file first)', async () => {
    const full = rebuildFullList(await get('mr'));
    expect(full[0]).toEqual({ text: 'simplistic , silly and tedious .', label: 0 });
    expect(full[5331]).toEqual({ text: 'the rock is destined to be the 21st century\'s new " conan " and that he\'s going to make a splash even greater than arnold schwarzenegger , jean-claud van damme or steven segal .', label: 1 });
    expect(full.slice(0, 5331).every((example) => example.label === 0)).toBe(true);
  });

  it('makes the same seeded split on every load, a different one for another seed, train and test disjoint', async () => {
    const again = await loadDataset('subj', { dataDir: defaultDataDir(), seed: 1 });
    const subj = await get('subj');
    expect(again.split).toEqual(subj.split);
    expect(again.test).toEqual(subj.test);
    const other = await loadDataset('subj', { dataDir: defaultDataDir(), seed: 2 });
    expect(other.split.kind === 'seeded' && other.split.testIndices).not.toEqual(subj.split.kind === 'seeded' && subj.split.testIndices);
    if (subj.split.kind !== 'seeded') throw new Error('Subj should have a seeded split');
    const testSet = new Set(subj.split.testIndices);
    expect(testSet.size).toBe(1000);
    expect(rebuildFullList(subj).filter((_, index) => !testSet.has(index))).toEqual(subj.train);
  });
});

describe('finding the data', () => {
  let folder: string;
  const savedEnvironment = process.env[DATA_DIR_ENV];
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'spikescope-data-'));
  });
  afterEach(() => {
    if (savedEnvironment === undefined) delete process.env[DATA_DIR_ENV];
    else process.env[DATA_DIR_ENV] = savedEnvironment;
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('defaults to ../shared/data from the working directory, or the environment variable', () => {
    delete process.env[DATA_DIR_ENV];
    expect(defaultDataDir()).toBe(resolve(process.cwd(), '../shared/data'));
    process.env[DATA_DIR_ENV] = folder;
    expect(defaultDataDir()).toBe(folder);
  });

  it('says which folder is missing and how to point at the data', async () => {
    const missing = join(folder, 'nowhere');
    await expect(loadDataset('sst2', { dataDir: missing })).rejects.toThrow(DataError);
    await expect(loadDataset('sst2', { dataDir: missing })).rejects.toThrow(`No data folder at ${missing}: pass --data-dir or set SPIKESCOPE_DATA_DIR`);
  });

  it('names the missing file of a corpus', async () => {
    await mkdir(join(folder, 'mr'), { recursive: true });
    await writeFile(join(folder, 'mr', 'rt-polarity.neg'), 'bad .\n');
    await expect(loadDataset('mr', { dataDir: folder })).rejects.toThrow(`No MR data at ${join(folder, 'mr', 'rt-polarity.pos')}: pass --data-dir or set SPIKESCOPE_DATA_DIR`);
  });

  it('lists the known datasets for an unknown name', async () => {
    await expect(loadDataset('imdb' as DatasetName, { dataDir: folder })).rejects.toThrow('Unknown dataset "imdb"; choose one of mr, sst2, sst5, subj, chnsenticorp, waimai');
  });
});
