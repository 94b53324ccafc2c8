import { describe, expect, it } from 'vitest';
import { DataError } from './dataset';
import { parseCsv, parseTsv } from './delimited';

const fields = (text: string): string[][] => parseCsv(text, 'test.csv').map((row) => row.fields);

describe('CSV parser (RFC 4180)', () => {
  it('splits plain records and fields', () => {
    expect(fields('label,review\n1,good\n0,bad\n')).toEqual([
      ['label', 'review'],
      ['1', 'good'],
      ['0', 'bad'],
    ]);
  });

  it('keeps commas inside quoted fields', () => {
    expect(fields('1,"老顾客,持续的好,辛苦"\n')).toEqual([['1', '老顾客,持续的好,辛苦']]);
  });

  it('reads a doubled quote inside a quoted field as one quote', () => {
    expect(fields('0,"he said ""no"", twice"\n')).toEqual([['0', 'he said "no", twice']]);
    expect(fields('""""\n')).toEqual([['"']]);
  });

  it('keeps line breaks inside quoted fields and numbers records by their first line', () => {
    const rows = parseCsv('label,review\n1,"line one\nline two\r\nline three"\n0,after\n', 'test.csv');
    expect(rows.map((row) => row.fields)).toEqual([
      ['label', 'review'],
      ['1', 'line one\nline two\r\nline three'],
      ['0', 'after'],
    ]);
    expect(rows.map((row) => row.lineNumber)).toEqual([1, 2, 5]);
  });

  it('accepts CRLF, LF and CR record ends and a missing final line break', () => {
    expect(fields('a,b\r\nc,d\re,f\ng,h')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(fields(',x,\n"",\n')).toEqual([
      ['', 'x', ''],
      ['', ''],
    ]);
    expect(fields('a,')).toEqual([['a', '']]);
  });

  it('skips empty lines but keeps a record made of one empty quoted field', () => {
    expect(fields('a\n\n\r\nb\n""\n')).toEqual([['a'], ['b'], ['']]);
  });

  it('reads a quote inside an unquoted field as an ordinary character (as Waimai needs)', () => {
    expect(fields('0,无语O__O"…问苍天\n')).toEqual([['0', '无语O__O"…问苍天']]);
  });

  it('reports a quoted field that is never closed, at the line where it opens', () => {
    expect(() => parseCsv('a,b\n1,"open\nstill open', 'w.csv')).toThrow(DataError);
    expect(() => parseCsv('a,b\n1,"open\nstill open', 'w.csv')).toThrow(/w\.csv: line 2: a quoted field is never closed/);
  });

  it('reports text after a closing quote', () => {
    expect(() => parseCsv('1,"quoted"tail\n', 'w.csv')).toThrow(/line 1: text after the closing quote/);
  });

  it('uses another delimiter when asked and refuses a quote as delimiter', () => {
    expect(parseCsv('a;"b;c"\n', 't', ';').map((row) => row.fields)).toEqual([['a', 'b;c']]);
    expect(() => parseCsv('a', 't', '"')).toThrow(DataError);
  });

  it('returns no rows for empty text', () => {
    expect(fields('')).toEqual([]);
  });
});

describe('TSV parser', () => {
  it('splits at tabs, keeps quotes as characters and skips empty lines', () => {
    const rows = parseTsv('label\ttext_a\n1\t他说"好"\n\n    0\t差\n');
    expect(rows.map((row) => row.fields)).toEqual([
      ['label', 'text_a'],
      ['1', '他说"好"'],
      ['    0', '差'],
    ]);
    expect(rows.map((row) => row.lineNumber)).toEqual([1, 2, 4]);
  });
});
