import { describe, expect, it } from 'vitest';
import { splitLines, iterateLines } from '../data/text-decoding';
import {
  BatchFileError,
  decodeTextFile,
  decodeTextFileInSteps,
  MAX_BATCH_FILE_BYTES,
  MAX_BATCH_TEXTS,
  parseBatchText,
  parseBatchTextInSteps,
  readBatchFile,
  summarizeBatchFile,
} from './batch-file';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('batch file', () => {
  it('reads one text per line, without labels', () => {
    expect(parseBatchText('a fine film\n\n  dull and slow  \r\n')).toEqual({ texts: ['a fine film', 'dull and slow'], labels: null, format: 'lines' });
  });

  it('reads TSV and CSV with a label column', () => {
    expect(parseBatchText('label\ttext_a\n1\t很好吃\n0\t太慢了\n', 'test.tsv')).toEqual({ texts: ['很好吃', '太慢了'], labels: ['1', '0'], format: 'tsv' });
    const csv = parseBatchText('label,review\n1,"good, ""really"" good"\n,"no label"\n', 'waimai.csv');
    expect(csv.texts).toEqual(['good, "really" good', 'no label']);
    expect(csv.labels).toEqual(['1', null]);
  });

  it('refuses a file with no text or a malformed table, naming it', () => {
    expect(() => parseBatchText('\n \n', 'empty.txt')).toThrow(BatchFileError);
    expect(() => parseBatchText('\n', 'empty.txt')).toThrow(/"empty\.txt" holds no text/);
    expect(() => parseBatchText('label\ttext\n1\ta\tb\n', 'bad.tsv')).toThrow(/"bad\.tsv": line 2/);
  });

  it('decodes UTF-8, falls back to windows-1252, and refuses binary data', () => {
    expect(decodeTextFile(utf8('\uFEFFcafé'), 'a.txt')).toBe('café');
    expect(decodeTextFile(Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x68, 0x69, 0x94]), 'mr.txt')).toBe('café \u201chi\u201d');
    expect(() => decodeTextFile(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'photo.png')).toThrow(/photo\.png" is not a text file/);
  });
});

/** Files of every layout, with the corners of each: blank lines, CRLF and lone CR, BOM, quotes, partly labelled rows. */
const FILES: Record<string, string> = {
  lines: '\uFEFFa fine film\r\n\n  dull and slow  \r\rlast line without a break',
  tsv: 'label\ttext_a\r\n1\t很好吃\n\n0\t太慢了\n\t没有标签\n1\t  \n',
  csv: 'label,review\n1,"good, ""really"" good"\n,"no label"\n0,"two\nlines"\r\n\n1,plain\n',
  csvTextFirst: 'text,label\na gripping film,pos\n"a ""dull"" one",neg',
  blankFirst: '   \n\nid,sentence\n1,one\n2,two\n',
  notAHeader: 'a film, with a comma\nand another line\n',
  badTsv: 'label\ttext\n1\tok\n1\ta\tb\n',
  badCsv: 'label,text\n1,"never closed\n2,fine\n',
  empty: '\n \n',
};

async function settle<T>(work: () => T | Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await work() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

describe('batch file read in steps (as the worker reads it)', () => {
  it('iterates the same lines as splitLines', () => {
    for (const text of ['', 'a', 'a\n', 'a\n\n', '\r\n', 'a\rb\r\nc\n\rd', '\n\nx', ...Object.values(FILES)]) {
      expect([...iterateLines(text)]).toEqual(splitLines(text));
    }
  });

  it('gives the same texts, labels and errors in steps of any size as in one go', async () => {
    for (const [name, text] of Object.entries(FILES)) {
      const whole = await settle(() => parseBatchText(text, `${name}.txt`));
      for (const rowsPerStep of [1, 2, 3, 1024]) {
        const stepped = await settle(() => parseBatchTextInSteps(text, `${name}.txt`, { rowsPerStep, sliceMs: 0 }));
        expect(stepped, `${name}, ${rowsPerStep} rows per step`).toEqual(whole);
      }
    }
  });

  it('decodes in chunks of any size as in one go: UTF-8 split inside a character, a BOM, windows-1252, binary', async () => {
    const inputs = [
      new TextEncoder().encode('\uFEFFcafé 很好吃 😀\nline two'),
      Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x68, 0x69, 0x94]),
      new TextEncoder().encode(''),
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    ];
    for (const bytes of inputs) {
      const whole = await settle(() => decodeTextFile(bytes, 'f.txt'));
      for (const chunkBytes of [1, 2, 3, 5, 1 << 20]) {
        expect(await settle(() => decodeTextFileInSteps(bytes, 'f.txt', { chunkBytes, sliceMs: 0 }))).toEqual(whole);
      }
    }
  });

  it('refuses a file over 50 MB before decoding it, and more than 100,000 texts as soon as they are counted', async () => {
    await expect(readBatchFile(new Uint8Array(MAX_BATCH_FILE_BYTES + 1), 'big.txt')).rejects.toThrow(
      '"big.txt" is 50.1 MB; the limit is 50 MB per batch file. Split it into smaller files.',
    );
    const many = new TextEncoder().encode('a fine film\n'.repeat(MAX_BATCH_TEXTS + 1));
    await expect(readBatchFile(many, 'many.txt')).rejects.toThrow(BatchFileError);
    await expect(readBatchFile(many, 'many.txt')).rejects.toThrow('"many.txt" holds more than 100,000 texts, the limit per batch file. Split it into smaller files.');
    const enough = await readBatchFile(new TextEncoder().encode('label,text\npos,a fine film\n'.replace(/pos.*\n/, (row) => row.repeat(MAX_BATCH_TEXTS))), 'ok.csv');
    expect(enough.texts).toHaveLength(MAX_BATCH_TEXTS);
  });

  it('stops soon after a cancel, with CancelledError', async () => {
    const text = 'the story is warm and the acting is good\n'.repeat(2_000_000);
    const controller = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 20);
    const error = await parseBatchTextInSteps(text, 'f.txt', { signal: controller.signal, sliceMs: 10 }).catch((caught: Error) => caught);
    const stoppedAfter = performance.now() - abortedAt;
    expect((error as Error).name).toBe('CancelledError');
    expect(abortedAt).toBeGreaterThan(0);
    expect(stoppedAfter).toBeLessThan(250);
  });

  it('summarises a file for the page: count, layout, distinct labels and the first rows', () => {
    const file = parseBatchText('label,text\npos,a\nneg,b\n,c\npos,d\n', 'f.csv');
    expect(summarizeBatchFile(file, 'f.csv', 2)).toEqual({
      name: 'f.csv',
      count: 4,
      format: 'csv',
      labels: ['pos', 'neg'],
      preview: [
        { text: 'a', label: 'pos' },
        { text: 'b', label: 'neg' },
      ],
    });
    expect(summarizeBatchFile(parseBatchText('one\ntwo\n'), 'f.txt').labels).toBeNull();
  });
});
