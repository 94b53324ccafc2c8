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
