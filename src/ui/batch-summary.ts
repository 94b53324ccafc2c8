/**
 * What a labelled batch scored: labels matched to the model's classes, accuracy of the SNN and of
 * its ANN twin, their agreement, a confusion matrix; and the results as CSV for export. Pure.
 */

/**
 * The class a file's label names: the class name itself (any case), a unique prefix of one
 * (`pos` → `positive`), or the class's index (`0`, `1`, as SST and the Chinese corpora write them).
 * −1 when it names none.
 */
export function labelToClass(label: string, classes: readonly string[]): number {
  const wanted = label.trim().toLowerCase();
  if (wanted === '') return -1;
  const exact = classes.findIndex((name) => name.toLowerCase() === wanted);
  if (exact >= 0) return exact;
  if (/^\d+$/.test(wanted)) {
    const index = Number(wanted);
    return index < classes.length ? index : -1;
  }
  const prefixed = classes.flatMap((name, index) => (name.toLowerCase().startsWith(wanted) ? [index] : []));
  return prefixed.length === 1 ? prefixed[0] : -1;
}

/** Scores of a labelled (or unlabelled) batch. */
export interface BatchSummary {
  total: number;
  /** Texts whose label names a class of the model (rows without a label are left out). */
  matched: number;
  /** Labels that name no class (distinct, first 10). */
  unmatchedLabels: string[];
  /** SNN accuracy over matched texts; null without labels. */
  accuracy: number | null;
  /** ANN twin accuracy over matched texts; null without labels or without the twin. */
  annAccuracy: number | null;
  /** Share of texts where the SNN and the ANN twin give the same class; null without the twin. */
  agreement: number | null;
  /** `confusion[true][predicted]` counts of the SNN over matched texts; null without labels. */
  confusion: number[][] | null;
}

/** Scores predictions (class indices) against file labels. */
export function summarizeBatch(
  predicted: readonly number[],
  annPredicted: readonly (number | null)[],
  labels: readonly (string | null)[] | null,
  classes: readonly string[],
): BatchSummary {
  const total = predicted.length;
  const withTwin = annPredicted.every((value) => value !== null) && annPredicted.length === total && total > 0;
  const agreement = withTwin ? predicted.filter((label, i) => label === annPredicted[i]).length / total : null;
  if (!labels) return { total, matched: 0, unmatchedLabels: [], accuracy: null, annAccuracy: null, agreement, confusion: null };
  const confusion = classes.map(() => classes.map(() => 0));
  const unmatched = new Set<string>();
  let matched = 0;
  let correct = 0;
  let annCorrect = 0;
  predicted.forEach((label, i) => {
    const given = labels[i] ?? null;
    if (given === null) return;
    const truth = labelToClass(given, classes);
    if (truth < 0) {
      unmatched.add(given);
      return;
    }
    matched++;
    confusion[truth][label]++;
    if (truth === label) correct++;
    if (annPredicted[i] === truth) annCorrect++;
  });
  return {
    total,
    matched,
    unmatchedLabels: [...unmatched].slice(0, 10),
    accuracy: matched > 0 ? correct / matched : null,
    annAccuracy: matched > 0 && withTwin ? annCorrect / matched : null,
    agreement,
    confusion,
  };
}

/**
 * First characters that make a spreadsheet read a cell as a formula (`=`, `+`, `-`, `@`, tab, carriage
 * return, and their full-width forms), per OWASP's CSV injection advice.
 */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/**
 * One field of CSV (RFC 4180): quoted when it holds a comma, quote or line break. A text that a
 * spreadsheet would run as a formula (`=HYPERLINK(…)`, `+1+cmd|…`, `@SUM(…)`) gets a leading single
 * quote, so it is shown as text (OWASP: CSV injection). Numbers and booleans are written as they are.
 */
export function csvField(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to CSV text, CRLF line endings as RFC 4180 says. */
export function toCsv(rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** One classified text, as exported. */
export interface BatchRow {
  text: string;
  label: string | null;
  predicted: number;
  scores: readonly number[];
  annPredicted: number | null;
  annScores: readonly number[] | null;
}

/**
 * The batch as CSV: text, file label (if any), SNN class and spike counts per class, ANN twin class
 * and its scores, and whether the SNN is correct and agrees with the twin.
 */
export function batchCsv(rows: readonly BatchRow[], classes: readonly string[], hasLabels: boolean): string {
  const header = [
    'text',
    ...(hasLabels ? ['label'] : []),
    'snn_label',
    ...classes.map((name) => `snn_spikes_${name}`),
    'ann_label',
    ...classes.map((name) => `ann_score_${name}`),
    'snn_ann_agree',
    ...(hasLabels ? ['snn_correct'] : []),
  ];
  const body = rows.map((row) => {
    const truth = row.label === null ? -1 : labelToClass(row.label, classes);
    return [
      row.text,
      ...(hasLabels ? [row.label ?? ''] : []),
      classes[row.predicted],
      ...row.scores,
      row.annPredicted === null ? null : classes[row.annPredicted],
      ...(row.annScores ?? classes.map(() => null)),
      row.annPredicted === null ? null : row.annPredicted === row.predicted,
      ...(hasLabels ? [truth < 0 ? null : truth === row.predicted] : []),
    ];
  });
  return toCsv([header, ...body]);
}
