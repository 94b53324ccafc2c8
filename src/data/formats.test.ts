import { describe, expect, it } from 'vitest';
import { DataError } from './dataset';
import { parseChnSentiCorpTsv, parseSentencePerLine, parseSstLines, parseWaimaiCsv } from './formats';

describe('one sentence per line (MR, Subj)', () => {
  it('gives every non-blank line the label, trimmed', () => {
    const text = 'the rock is destined to be great . \n \n  a gorgeous film . \n';
    expect(parseSentencePerLine(text, 1)).toEqual([
      { text: 'the rock is destined to be great .', label: 1 },
      { text: 'a gorgeous film .', label: 1 },
    ]);
  });
});

describe('SST lines', () => {
  it('reads "LABEL SENTENCE" lines, keeping the PTB tokens', () => {
    const text = "1 a stirring , funny re-imagining\n0 they wo n't sit still -lrb- sadly -rrb- .\n";
    expect(parseSstLines(text, 2, 'stsa.binary.train')).toEqual([
      { text: 'a stirring , funny re-imagining', label: 1 },
      { text: "they wo n't sit still -lrb- sadly -rrb- .", label: 0 },
    ]);
  });

  it('reads the five fine-grained labels', () => {
    const labels = parseSstLines('0 a\n1 b\n2 c\n3 d\n4 e\n', 5, 'stsa.fine.dev').map((example) => example.label);
    expect(labels).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects a label outside the classes, naming file and line', () => {
    expect(() => parseSstLines('1 fine\n2 too high\n', 2, 'stsa.binary.dev')).toThrow(DataError);
    expect(() => parseSstLines('1 fine\n2 too high\n', 2, 'stsa.binary.dev')).toThrow(/stsa\.binary\.dev: line 2: label "2" is not a class number 0…1/);
  });

  it('rejects a line without a label', () => {
    expect(() => parseSstLines('a film without a label\n', 2, 's')).toThrow(/line 1: expected "LABEL SENTENCE"/);
  });
});

describe('ChnSentiCorp TSV', () => {
  it('reads label and text after the header, trimming a label with leading spaces', () => {
    const text = 'label\ttext_a\n1\t房间不错\n    0\t环境很不好,"很旧"\n';
    expect(parseChnSentiCorpTsv(text, 'test.tsv')).toEqual([
      { text: '房间不错', label: 1 },
      { text: '环境很不好,"很旧"', label: 0 },
    ]);
  });

  it('accepts a last line without a line break', () => {
    expect(parseChnSentiCorpTsv('label\ttext_a\n0\t差', 'dev.tsv')).toEqual([{ text: '差', label: 0 }]);
  });

  it('rejects a file whose header is not label/text_a', () => {
    expect(() => parseChnSentiCorpTsv('text_a\tlabel\n好\t1\n', 'x.tsv')).toThrow(/x\.tsv: line 1: expected the header \["label","text_a"\]/);
  });

  it('rejects a row without exactly one tab', () => {
    expect(() => parseChnSentiCorpTsv('label\ttext_a\n1 no tab here\n', 'x.tsv')).toThrow(/x\.tsv: line 2: expected 2 fields/);
  });
});

describe('Waimai CSV', () => {
  it('reads quoted reviews with commas and doubled quotes', () => {
    const text = 'label,review\n1,很快，好吃\n1,"老顾客,持续的好,辛苦"\n0,"名字""焖肉""误导人"\n0,无语O__O"…问苍天\n';
    expect(parseWaimaiCsv(text, 'waimai.csv')).toEqual([
      { text: '很快，好吃', label: 1 },
      { text: '老顾客,持续的好,辛苦', label: 1 },
      { text: '名字"焖肉"误导人', label: 0 },
      { text: '无语O__O"…问苍天', label: 0 },
    ]);
  });

  it('reads CRLF files and reviews spanning lines', () => {
    expect(parseWaimaiCsv('label,review\r\n0,"太慢\r\n还凉了"\r\n', 'w.csv')).toEqual([{ text: '太慢\r\n还凉了', label: 0 }]);
  });

  it('rejects an empty file and a bad label', () => {
    expect(() => parseWaimaiCsv('', 'w.csv')).toThrow(/w\.csv: is empty/);
    expect(() => parseWaimaiCsv('label,review\npositive,好\n', 'w.csv')).toThrow(/line 2: label "positive" is not a class number 0…1/);
  });
});
