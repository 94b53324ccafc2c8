import { describe, expect, it } from 'vitest';
import { DataError } from './dataset';
import { readLabelledTextFile } from './labelled-text';

describe('batch files of texts', () => {
  it('reads plain text as one unlabelled text per non-blank line', () => {
    expect(readLabelledTextFile('a gorgeous film .\n\n  dull , dull , dull  \r\n')).toEqual({
      texts: ['a gorgeous film .', 'dull , dull , dull'],
      labels: [null, null],
      format: 'lines',
    });
  });

  it('does not take a sentence with commas or quotes for a CSV header', () => {
    const text = '"great film," she said\nit is , well , fine\n';
    expect(readLabelledTextFile(text)).toEqual({ texts: ['"great film," she said', 'it is , well , fine'], labels: [null, null], format: 'lines' });
  });

  it('reads CSV label,text with quoting', () => {
    const text = '\ufefflabel,text\npositive,"good, really"\nnegative,"he said ""meh"""\n';
    expect(readLabelledTextFile(text)).toEqual({ texts: ['good, really', 'he said "meh"'], labels: ['positive', 'negative'], format: 'csv' });
  });

  it('reads CSV text,label in either column order and any header case', () => {
    expect(readLabelledTextFile('Text,Label\nfine,1\n')).toEqual({ texts: ['fine'], labels: ['1'], format: 'csv' });
  });

  it('reads TSV label\\ttext_a as in ChnSentiCorp, trimming labels', () => {
    expect(readLabelledTextFile('label\ttext_a\n    0\t很旧\n1\t不错\n')).toEqual({ texts: ['很旧', '不错'], labels: ['0', '1'], format: 'tsv' });
  });

  it('takes the other column as text when a two-column header has only a label column', () => {
    expect(readLabelledTextFile('label,review\n1,好吃\n')).toEqual({ texts: ['好吃'], labels: ['1'], format: 'csv' });
    expect(readLabelledTextFile('label\tutterance\n0\tbad\n')).toEqual({ texts: ['bad'], labels: ['0'], format: 'tsv' });
  });

  it('reads a table with a text column and no label column as unlabelled', () => {
    expect(readLabelledTextFile('id,sentence\n7,so good\n')).toEqual({ texts: ['so good'], labels: [null], format: 'csv' });
  });

  it('gives null for an empty label cell and skips rows with empty text', () => {
    expect(readLabelledTextFile('label,text\n,unlabelled\n1,\n0,labelled\n')).toEqual({
      texts: ['unlabelled', 'labelled'],
      labels: [null, '0'],
      format: 'csv',
    });
  });

  it('rejects a row with the wrong number of fields, naming the line', () => {
    expect(() => readLabelledTextFile('label,text\n1,ok\n0,too,many\n')).toThrow(DataError);
    expect(() => readLabelledTextFile('label,text\n1,ok\n0,too,many\n')).toThrow(/line 3 has 3 fields but the header has 2; quote fields/);
  });

  it('rejects a header with a label column but no text column among several', () => {
    expect(() => readLabelledTextFile('id,label,body\n1,0,x\n')).toThrow(/has a label column but no text column/);
  });

  it('returns nothing for an empty file', () => {
    expect(readLabelledTextFile('\n\n')).toEqual({ texts: [], labels: [], format: 'lines' });
  });
});

describe('the datasets’ own layouts', () => {
  it("SST's label-first lines: the label is taken off the text", () => {
    const read = readLabelledTextFile('1 a gorgeous , witty film\n0 the plot is thin\n\n1 it never lets go\n');
    expect(read).toEqual({ format: 'label-lines', texts: ['a gorgeous , witty film', 'the plot is thin', 'it never lets go'], labels: ['1', '0', '1'] });
    expect(readLabelledTextFile('3 a fine film\n0 dull\n4 great\n').labels).toEqual(['3', '0', '4']);
  });

  it('lines that only start with a number are texts, not labels', () => {
    expect(readLabelledTextFile('1 hour of my life lost\n1 star\n').format).toBe('lines');
    expect(readLabelledTextFile('2 good\nno number here\n').format).toBe('lines');
  });

  it('a TSV without a header: the column of few short values is the label, in either order', () => {
    expect(readLabelledTextFile('a gorgeous film\t1\nthe plot is thin\t0\nwarm and funny\t1\n')).toEqual({
      format: 'tsv',
      texts: ['a gorgeous film', 'the plot is thin', 'warm and funny'],
      labels: ['1', '0', '1'],
    });
    expect(readLabelledTextFile('positive\tI loved it\nnegative\tI did not\n').labels).toEqual(['positive', 'negative']);
  });
});
