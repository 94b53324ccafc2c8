/**
 * Texts to classify in bulk, from a file a user supplies (the app's batch upload, the CLI's
 * `classify --file`). Pure code, so the browser and Node read a file the same way.
 *
 * Accepted layouts, told apart by the first non-blank line:
 *  - a table: TSV (the first line has a tab) or CSV whose header names a label column
 *    (`label`, `labels`, `class`, `sentiment`, `gold`) and/or a text column (`text`, `text_a`,
 *    `sentence`, `review`, `content`, `comment`), in any order and case: `label,text`,
 *    `text,label`, `label\ttext_a`, `id,sentence`… With two columns and a label column, the other
 *    column is the text whatever its name. CSV follows RFC 4180; TSV has no quoting.
 *  - TSV without a header: every line two fields, one of them a label (short, few distinct values);
 *  - label-first lines, SST's layout: every line `LABEL TEXT` with a whole-number label (`1 a
 *    gorgeous film`, `3 …` in SST-5), at least two distinct labels;
 *  - otherwise plain text: one text per non-blank line, no labels.
 * Labels stay strings (the caller maps them to class names or numbers); an empty label cell is
 * `null`, so a file may be partly labelled.
 */
import { DataError } from './dataset';
import { iterateCsv, iterateTsv, parseCsv } from './delimited';
import type { TableRow } from './delimited';
import { iterateLines, stripByteOrderMark } from './text-decoding';

/** Header names recognised as the label column (compared trimmed and lower-cased). */
export const LABEL_COLUMN_NAMES: readonly string[] = ['label', 'labels', 'class', 'sentiment', 'gold'];
/** Header names recognised as the text column (compared trimmed and lower-cased). */
export const TEXT_COLUMN_NAMES: readonly string[] = ['text', 'text_a', 'sentence', 'review', 'content', 'comment'];

/** Texts read from a user file, with their labels (`null` where none is given) and the layout found. */
export interface LabelledTexts {
  texts: string[];
  labels: (string | null)[];
  format: 'lines' | 'tsv' | 'csv' | 'label-lines';
}

const SOURCE = 'the text file';

/**
 * Reads a batch file in one of the layouts of the module comment. Texts are trimmed; table rows
 * with an empty text are skipped. A table row with the wrong number of fields throws a
 * `DataError` naming its line.
 */
export function readLabelledTextFile(text: string, chosen?: ChosenColumns): LabelledTexts {
  const steps = readLabelledTextSteps(text, 1024, chosen);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `readLabelledTextFile` in steps: the generator yields the number of texts read so far after
 * every `rowsPerStep` lines or records, and returns the same result. A caller can pause between
 * steps (to let other work in, or to stop), so a file of a million lines never blocks for long.
 */
export function* readLabelledTextSteps(text: string, rowsPerStep = 1024, chosen?: ChosenColumns): Generator<number, LabelledTexts, undefined> {
  const content = stripByteOrderMark(text);
  const firstLine = firstNonBlankLine(content);
  if (firstLine === undefined) return { texts: [], labels: [], format: 'lines' };
  if (chosen) {
    const header = tableHeader(content);
    if (!header) throw new DataError(`${SOURCE}: has no header line of a table (CSV or TSV), so it has no columns to choose`);
    for (const index of [chosen.text, chosen.label]) {
      if (!Number.isInteger(index) || index < 0 || index >= header.fields.length) throw new DataError(`${SOURCE}: has no column ${index + 1} (its header has ${header.fields.length})`);
    }
    if (chosen.text === chosen.label) throw new DataError(`${SOURCE}: the text and the label cannot be the same column`);
    const rows = header.format === 'tsv' ? iterateTsv(content) : iterateCsv(content, SOURCE);
    rows.next();
    return yield* readTable(rows, { count: header.fields.length, ...chosen }, header.format, rowsPerStep);
  }
  if (firstLine.includes('\t')) {
    const rows = iterateTsv(content);
    const header = rows.next();
    const columns = header.done ? null : findColumns(header.value.fields);
    if (columns !== null) return yield* readTable(rows, columns, 'tsv', rowsPerStep);
    const unnamed = headerlessColumns(content);
    if (unnamed !== null) return yield* readTable(iterateTsv(content), unnamed, 'tsv', rowsPerStep);
  } else if (firstLine.includes(',')) {
    const columns = findColumns(csvHeaderFields(firstLine));
    if (columns !== null) {
      const rows = iterateCsv(content, SOURCE);
      rows.next();
      return yield* readTable(rows, columns, 'csv', rowsPerStep);
    }
  }
  const labelFirst = isLabelFirst(content);
  const texts: string[] = [];
  const labels: (string | null)[] = [];
  let read = 0;
  for (const line of iterateLines(content)) {
    const trimmed = line.text.trim();
    if (trimmed.length > 0) {
      if (labelFirst) {
        const match = LABEL_FIRST.exec(trimmed)!;
        labels.push(match[1]);
        texts.push(match[2].trim());
      } else texts.push(trimmed);
    }
    if (++read % rowsPerStep === 0) yield texts.length;
  }
  return labelFirst ? { texts, labels, format: 'label-lines' } : { texts, labels: texts.map(() => null), format: 'lines' };
}

/** The text and label columns a person chose in a table's header (0-based). */
export interface ChosenColumns {
  text: number;
  label: number;
}

function firstNonBlankLine(content: string): string | undefined {
  for (const line of iterateLines(content)) if (line.text.trim().length > 0) return line.text;
  return undefined;
}

/**
 * The header of a file that is a table with a header (TSV: a tab in the first line; CSV: a first
 * line whose fields name a text or label column), with the columns recognised by name (`guess`),
 * so a person can confirm or change them; null for any other layout.
 */
export function tableHeader(text: string): { format: 'csv' | 'tsv'; fields: string[]; guess: { text: number; label: number | null } | null } | null {
  const content = stripByteOrderMark(text);
  const firstLine = firstNonBlankLine(content);
  if (firstLine === undefined) return null;
  const guessOf = (fields: string[]) => {
    try {
      const columns = findColumns(fields);
      return columns && { text: columns.text, label: columns.label };
    } catch (error) {
      if (error instanceof DataError) return null;
      throw error;
    }
  };
  if (firstLine.includes('\t')) {
    const fields = firstLine.split('\t').map((field) => field.trim());
    // A headerless TSV's first line is data, not names.
    if (guessOf(fields) === null && headerlessColumns(content) !== null) return null;
    return { format: 'tsv', fields, guess: guessOf(fields) };
  }
  if (firstLine.includes(',')) {
    const fields = csvHeaderFields(firstLine).map((field) => field.trim());
    const guess = guessOf(fields);
    return guess ? { format: 'csv', fields, guess } : null;
  }
  return null;
}

/** A line of SST's layout: a whole-number label, white space, the text. */
const LABEL_FIRST = /^(\d{1,3})\s+(\S.*)$/;

/** Whether every non-blank line is `LABEL TEXT` with at least two distinct labels among them. */
function isLabelFirst(content: string): boolean {
  const labels = new Set<string>();
  let lines = 0;
  for (const line of iterateLines(content)) {
    const trimmed = line.text.trim();
    if (trimmed.length === 0) continue;
    const match = LABEL_FIRST.exec(trimmed);
    if (!match) return false;
    labels.add(match[1]);
    lines++;
  }
  return lines >= 2 && labels.size >= 2 && labels.size <= 100;
}

/**
 * The columns of a TSV without a header: every non-blank line two fields, one of which is a label
 * (at most 30 characters, at most 100 distinct values, and fewer distinct values or shorter ones
 * than the other column). Null when the file is not like that.
 */
function headerlessColumns(content: string): TableColumns | null {
  const distinct = [new Set<string>(), new Set<string>()];
  const longest = [0, 0];
  const characters = [0, 0];
  let lines = 0;
  for (const line of iterateLines(content)) {
    if (line.text.trim().length === 0) continue;
    const fields = line.text.split('\t');
    if (fields.length !== 2) return null;
    fields.forEach((field, i) => {
      const value = field.trim();
      if (distinct[i].size <= 100) distinct[i].add(value);
      longest[i] = Math.max(longest[i], value.length);
      characters[i] += value.length;
    });
    lines++;
  }
  if (lines < 2) return null;
  const candidates = [0, 1].filter((i) => longest[i] <= 30 && distinct[i].size <= 100);
  // Fewer distinct values first, then shorter values.
  candidates.sort((a, b) => distinct[a].size - distinct[b].size || characters[a] - characters[b]);
  const label = candidates[0];
  if (label === undefined) return null;
  const other = 1 - label;
  if (distinct[label].size > distinct[other].size || (distinct[label].size === distinct[other].size && characters[label] >= characters[other])) return null;
  return { count: 2, label, text: other };
}

/** The fields of a first line read as CSV, or none when it is no valid CSV (then it is a sentence). */
function csvHeaderFields(line: string): string[] {
  try {
    return parseCsv(line, SOURCE)[0]?.fields ?? [];
  } catch (error) {
    if (error instanceof DataError) return [];
    throw error;
  }
}

/** Positions of the label and text columns in a header, or null when it is not a header. */
interface TableColumns {
  count: number;
  label: number | null;
  text: number;
}

function findColumns(headerFields: readonly string[]): TableColumns | null {
  if (headerFields.length < 2) return null;
  const names = headerFields.map((field) => field.trim().toLowerCase());
  const labelIndex = names.findIndex((name) => LABEL_COLUMN_NAMES.includes(name));
  let textIndex = names.findIndex((name) => TEXT_COLUMN_NAMES.includes(name));
  if (textIndex < 0 && labelIndex >= 0 && names.length === 2) textIndex = 1 - labelIndex;
  if (textIndex < 0) {
    if (labelIndex < 0) return null;
    throw new DataError(
      `${SOURCE}: the header ${JSON.stringify(headerFields)} has a label column but no text column; name the text column one of ${TEXT_COLUMN_NAMES.join(', ')}`,
    );
  }
  return { count: names.length, label: labelIndex >= 0 ? labelIndex : null, text: textIndex };
}

function* readTable(rows: Iterator<TableRow, void>, columns: TableColumns, format: 'tsv' | 'csv', rowsPerStep: number): Generator<number, LabelledTexts, undefined> {
  const texts: string[] = [];
  const labels: (string | null)[] = [];
  let read = 0;
  for (let next = rows.next(); !next.done; next = rows.next()) {
    if (++read % rowsPerStep === 0) yield texts.length;
    const row = next.value;
    if (row.fields.length !== columns.count) {
      const hint = format === 'tsv' ? 'a text may not contain a tab' : 'quote fields that contain commas, and write quotes inside them as ""';
      throw new DataError(`${SOURCE}: line ${row.lineNumber} has ${row.fields.length} fields but the header has ${columns.count}; ${hint}`);
    }
    const rowText = row.fields[columns.text].trim();
    if (rowText.length === 0) continue;
    const label = columns.label === null ? '' : row.fields[columns.label].trim();
    texts.push(rowText);
    labels.push(label.length > 0 ? label : null);
  }
  return { texts, labels, format };
}
