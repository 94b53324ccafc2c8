import { describe, expect, it } from 'vitest';
import { DataError } from '../data/dataset';
import { classFromFileName, classCountsOf, readTrainingFiles, splitDev } from './user-data';

const lines = (count: number, make: (i: number) => string) => Array.from({ length: count }, (_, i) => make(i)).join('\n');

describe('training files', () => {
  it('reads a CSV table by its header, or by the columns a person chose', () => {
    const text = `id,review,sentiment\n${lines(12, (i) => `${i},"text ${i}, with a comma",${i % 3 === 0 ? 'neg' : 'pos'}`)}`;
    const set = readTrainingFiles([{ name: 'r.csv', text }]);
    expect(set.classes).toEqual(['neg', 'pos']);
    expect(set.examples[1]).toEqual({ text: 'text 1, with a comma', label: 1 });
    expect(classCountsOf(set)).toEqual([4, 8]);
    expect(set.header).toEqual({ format: 'csv', fields: ['id', 'review', 'sentiment'], chosen: { text: 1, label: 2 } });
    // The id column as the label: 12 classes of one text each.
    expect(() => readTrainingFiles([{ name: 'r.csv', text }], { text: 1, label: 0 })).toThrow(/class "0" has 1 text; every class needs at least 2/);
    expect(() => readTrainingFiles([{ name: 'r.csv', text }], { text: 1, label: 1 })).toThrow(/cannot be the same column/);
    expect(() => readTrainingFiles([{ name: 'r.csv', text }], { text: 1, label: 5 })).toThrow(/has no column 6/);
  });

  it("reads SST's label-first lines (classes in numeric order) and a TSV without a header", () => {
    const sst = readTrainingFiles([{ name: 'sst.txt', text: lines(20, (i) => `${[3, 10, 2][i % 3]} sentence ${i}`) }]);
    expect(sst.classes).toEqual(['2', '3', '10']);
    expect(sst.layout).toBe('`LABEL TEXT` lines');
    const tsv = readTrainingFiles([{ name: 't.tsv', text: lines(20, (i) => `a longer sentence number ${i}\t${i % 2 ? 'yes' : 'no'}`) }]);
    expect(tsv.classes).toEqual(['no', 'yes']);
    expect(tsv.examples[0].text).toBe('a longer sentence number 0');
  });

  it('reads one file per class, the class named after the file', () => {
    const set = readTrainingFiles([
      { name: 'data/happy.txt', text: lines(6, (i) => `joy ${i}`) + '\n\n' },
      { name: 'sad.txt', text: lines(5, (i) => `gloom ${i}`) },
    ]);
    expect(set.classes).toEqual(['happy', 'sad']);
    expect(classCountsOf(set)).toEqual([6, 5]);
    expect(classFromFileName('C:\\x\\angry.tsv')).toBe('angry');
    expect(() => readTrainingFiles([{ name: 'a.txt', text: 'x\ny' }, { name: 'b/a.txt', text: 'z\nw' }])).toThrow(/would both be class "a"/);
    expect(() => readTrainingFiles([{ name: 'a.txt', text: lines(9, String) }, { name: 'b.txt', text: '  \n' }])).toThrow(/"b.txt" holds no text/);
  });

  it('refuses what it cannot train on, in one line that says what to do', () => {
    const cases: [string, string, RegExp][] = [
      ['one class', `text,label\n${lines(20, (i) => `s ${i},pos`)}`, /every text has the label "pos"; a classifier needs at least two classes/],
      ['missing labels', `text,label\n${lines(20, (i) => `s ${i},${i % 5 === 0 ? '' : i % 2}`)}`, /4 of 20 texts have no label \(the first: "s 0"\); label every text or remove those rows/],
      ['no labels', lines(20, (i) => `just a sentence ${i}`), /has no labels: give a table with a label column/],
      ['no label column', `id,text\n${lines(20, (i) => `${i},s ${i}`)}`, /has no label column: choose the label column, or name it "label"/],
      ['too few', `text,label\na,1\nb,0\nc,1`, /3 texts; training needs at least 10/],
      ['empty', '', /holds no text/],
    ];
    for (const [what, text, message] of cases) {
      let error: unknown;
      try {
        readTrainingFiles([{ name: 'f.csv', text }]);
      } catch (caught) {
        error = caught;
      }
      expect(error, what).toBeInstanceOf(DataError);
      expect((error as Error).message, what).toMatch(message);
      expect((error as Error).message, what).not.toContain('\n');
    }
    expect(() => readTrainingFiles([])).toThrow(/no training file given/);
  });

  it('splits a seeded dev share: the same for a seed, disjoint, in file order', () => {
    const examples = Array.from({ length: 200 }, (_, i) => ({ text: `t${i}`, label: i % 2 }));
    const a = splitDev(examples, 0.1, 3);
    const b = splitDev(examples, 0.1, 3);
    expect(a).toEqual(b);
    expect(a.dev).toHaveLength(20);
    expect(a.train).toHaveLength(180);
    expect(new Set([...a.train, ...a.dev].map((e) => e.text)).size).toBe(200);
    expect(splitDev(examples, 0.1, 4).dev).not.toEqual(a.dev);
    expect(() => splitDev(examples, 0.95, 1)).toThrow(/dev fraction/);
  });
});
