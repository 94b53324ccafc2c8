import { describe, expect, it } from 'vitest';
import { DataError } from './dataset';
import { decodeUtf8, decodeWindows1252, splitLines, stripByteOrderMark } from './text-decoding';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const ascii = (text: string): number[] => Array.from(text, (char) => char.charCodeAt(0));

describe('windows-1252 decoder', () => {
  it('decodes the MR/Subj punctuation bytes to their Unicode characters', () => {
    // "\x85the" (MR) and "\x91an ... souffl\xe9" (Subj), as they are in the files.
    expect(decodeWindows1252(bytes(0x85, ...ascii('the')))).toBe('\u2026the');
    expect(decodeWindows1252(bytes(0x91, ...ascii('an'), 0x92))).toBe('\u2018an\u2019');
    expect(decodeWindows1252(bytes(0x93, 0x94, 0x96, 0x97))).toBe('\u201c\u201d\u2013\u2014');
    expect(decodeWindows1252(bytes(...ascii('souffl'), 0xe9))).toBe('soufflé');
  });

  it('maps every byte of 0x80–0x9F by the cp1252 table and the undefined ones to U+FFFD', () => {
    const expected = [
      0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
      0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
    ];
    const decoded = decodeWindows1252(Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i));
    expect(Array.from(decoded, (char) => char.codePointAt(0))).toEqual(expected);
  });

  it('decodes ASCII and 0xA0–0xFF as Latin-1', () => {
    const low = Uint8Array.from({ length: 128 }, (_, i) => i);
    const high = Uint8Array.from({ length: 96 }, (_, i) => 0xa0 + i);
    expect(Array.from(decodeWindows1252(low), (char) => char.charCodeAt(0))).toEqual(Array.from(low));
    expect(Array.from(decodeWindows1252(high), (char) => char.charCodeAt(0))).toEqual(Array.from(high));
    expect(decodeWindows1252(bytes(0xe0, 0xf1, 0xfc, 0xbd))).toBe('àñü½');
  });

  it('keeps long inputs intact across its internal chunks', () => {
    const long = new Uint8Array(20_000).map((_, i) => (i % 3 === 0 ? 0x85 : 0x61));
    const expected = Array.from(long, (byte) => (byte === 0x85 ? '\u2026' : 'a')).join('');
    expect(decodeWindows1252(long)).toBe(expected);
  });

  it('decodes an empty input to an empty string', () => {
    expect(decodeWindows1252(new Uint8Array(0))).toBe('');
  });
});

describe('UTF-8 decoder', () => {
  it('decodes Chinese text and drops a byte-order mark', () => {
    const encoded = new TextEncoder().encode('\ufeff味道好');
    expect(decodeUtf8(encoded, 'x.csv')).toBe('味道好');
  });

  it('rejects bytes that are not UTF-8, naming the file', () => {
    expect(() => decodeUtf8(bytes(0x63, 0x6c, 0x69, 0x63, 0x68, 0xe9, 0x73), 'mr/x.txt')).toThrow(DataError);
    expect(() => decodeUtf8(bytes(0xe9, 0x20), 'mr/x.txt')).toThrow(/mr\/x\.txt: is not valid UTF-8/);
  });

  it('strips only a leading byte-order mark', () => {
    expect(stripByteOrderMark('\ufeffa\ufeffb')).toBe('a\ufeffb');
    expect(stripByteOrderMark('ab')).toBe('ab');
  });
});

describe('line splitting', () => {
  it('splits at LF, CRLF and CR and numbers lines from 1', () => {
    expect(splitLines('a\nb\r\nc\rd')).toEqual([
      { text: 'a', lineNumber: 1 },
      { text: 'b', lineNumber: 2 },
      { text: 'c', lineNumber: 3 },
      { text: 'd', lineNumber: 4 },
    ]);
  });

  it('does not make an empty last line of a final terminator, but keeps inner empty lines', () => {
    expect(splitLines('a\n\nb\n').map((line) => line.text)).toEqual(['a', '', 'b']);
    expect(splitLines('')).toEqual([]);
  });
});
