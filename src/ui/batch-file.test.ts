import { describe, expect, it } from 'vitest';
import { BatchFileError, decodeTextFile, parseBatchText } from './batch-file';

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
