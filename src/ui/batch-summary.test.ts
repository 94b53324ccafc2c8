import { describe, expect, it } from 'vitest';
import { batchCsv, csvField, labelToClass, summarizeBatch, toCsv } from './batch-summary';

const classes = ['negative', 'positive'];

describe('batch summary', () => {
  it('matches labels by name, prefix or index', () => {
    expect(labelToClass('Positive', classes)).toBe(1);
    expect(labelToClass('neg', classes)).toBe(0);
    expect(labelToClass(' 1 ', classes)).toBe(1);
    expect(labelToClass('2', classes)).toBe(-1);
    expect(labelToClass('neutral', classes)).toBe(-1);
    expect(labelToClass('', classes)).toBe(-1);
  });

  it('computes accuracy, twin accuracy, agreement and the confusion matrix', () => {
    const summary = summarizeBatch([1, 0, 1, 1], [1, 0, 0, 1], ['1', '1', 'negative', 'maybe'], classes);
    expect(summary.matched).toBe(3);
    expect(summary.accuracy).toBeCloseTo(1 / 3);
    expect(summary.annAccuracy).toBeCloseTo(2 / 3);
    expect(summary.agreement).toBeCloseTo(3 / 4);
    expect(summary.confusion).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(summary.unmatchedLabels).toEqual(['maybe']);
  });

  it('leaves rows without a label out of the accuracy without calling them unmatched', () => {
    const summary = summarizeBatch([1, 0], [1, 0], ['1', null], classes);
    expect(summary.matched).toBe(1);
    expect(summary.accuracy).toBe(1);
    expect(summary.unmatchedLabels).toEqual([]);
  });

  it('has no accuracy without labels, and no twin scores without the twin', () => {
    const summary = summarizeBatch([0, 1], [null, null], null, classes);
    expect(summary.accuracy).toBeNull();
    expect(summary.agreement).toBeNull();
    expect(summary.confusion).toBeNull();
  });

  it('quotes CSV fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, "b"')).toBe('"a, ""b"""');
    expect(csvField(null)).toBe('');
    expect(toCsv([['a', 1], ['b\nc', true]])).toBe('a,1\r\n"b\nc",true\r\n');
  });

  it('neutralises text a spreadsheet would run as a formula, leaving numbers alone (OWASP CSV injection)', () => {
    expect(csvField('=HYPERLINK("http://evil.example","click")')).toBe('"\'=HYPERLINK(""http://evil.example"",""click"")"');
    expect(csvField('+1+cmd|calc!A0')).toBe("'+1+cmd|calc!A0");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('\r=1')).toBe('"\'\r=1"');
    expect(csvField('＝1+1')).toBe("'＝1+1");
    expect(csvField('a = b + c')).toBe('a = b + c');
    expect(csvField('')).toBe('');
    expect(csvField(-0.25)).toBe('-0.25');
    expect(csvField(false)).toBe('false');
  });

  it('the exported batch neutralises formulas in texts, labels and class names', () => {
    const csv = batchCsv([{ text: '=1+1', label: '@neg', predicted: 0, scores: [-1, 2], annPredicted: 1, annScores: [-0.5, 0.5] }], ['-neg', 'pos'], true);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe("text,label,snn_label,snn_spikes_-neg,snn_spikes_pos,ann_label,ann_score_-neg,ann_score_pos,snn_ann_agree,snn_correct");
    expect(row).toBe("'=1+1,'@neg,'-neg,-1,2,pos,-0.5,0.5,false,");
  });

  it('exports one row per text with the label and correctness when labelled', () => {
    const csv = batchCsv(
      [{ text: 'good, fine', label: '1', predicted: 1, scores: [2, 9], annPredicted: 0, annScores: [0.5, 0.25] }],
      classes,
      true,
    );
    const [header, row] = csv.trim().split('\r\n');
    expect(header).toBe('text,label,snn_label,snn_spikes_negative,snn_spikes_positive,ann_label,ann_score_negative,ann_score_positive,snn_ann_agree,snn_correct');
    expect(row).toBe('"good, fine",1,positive,2,9,negative,0.5,0.25,false,true');
  });
});
