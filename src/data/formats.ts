/**
 * Parsers for the file formats of the six corpora (shared/data/README.md), on decoded text.
 * Pure code: `load.ts` reads and decodes the files, these turn text into examples. Every error is
 * a `DataError` naming `source` (the file) and the line.
 */
import { DataError } from './dataset';
import type { Example } from './dataset';
import { parseCsv, parseTsv } from './delimited';
import type { TableRow } from './delimited';
import { splitLines } from './text-decoding';

/**
 * One sentence per line, all with the same label (MR `rt-polarity.pos/.neg`, Subj
 * `subj.subjective/.objective`). Lines are trimmed (MR lines end in a space); blank lines are
 * skipped, so the i-th example is the i-th non-blank line.
 */
export function parseSentencePerLine(text: string, label: number): Example[] {
  const examples: Example[] = [];
  for (const line of splitLines(text)) {
    const sentence = line.text.trim();
    if (sentence.length > 0) examples.push({ text: sentence, label });
  }
  return examples;
}

const SST_LINE = /^(\d+)[ \t]+(.*)$/;

/**
 * SST lines `LABEL SENTENCE` (`stsa.binary.*`: 0 = negative, 1 = positive; `stsa.fine.*`:
 * 0 = very negative … 4 = very positive). The sentence is kept as written (already PTB-tokenised),
 * trimmed. A label outside 0…classCount−1 or a line without one throws.
 */
export function parseSstLines(text: string, classCount: number, source: string): Example[] {
  const examples: Example[] = [];
  for (const line of splitLines(text)) {
    if (line.text.trim().length === 0) continue;
    const match = SST_LINE.exec(line.text.trim());
    if (match === null) {
      throw new DataError(`${source}: line ${line.lineNumber}: expected "LABEL SENTENCE" (a class number, a space, the sentence) but found ${quoteStart(line.text)}`);
    }
    examples.push({ text: match[2].trim(), label: parseLabel(match[1], classCount, source, line.lineNumber) });
  }
  return examples;
}

/**
 * ChnSentiCorp TSV: header `label\ttext_a`, then `LABEL\tTEXT` with 1 = positive. Labels are
 * trimmed (one test line reads `    0`). Each line has exactly one tab; quotes are ordinary characters.
 */
export function parseChnSentiCorpTsv(text: string, source: string): Example[] {
  return examplesFromTable(parseTsv(text), ['label', 'text_a'], 2, source);
}

/**
 * Waimai CSV: header `label,review`, then `LABEL,REVIEW` with 1 = positive, RFC 4180 quoting
 * (reviews with commas or quotes are quoted, `""` is one quote).
 */
export function parseWaimaiCsv(text: string, source: string): Example[] {
  return examplesFromTable(parseCsv(text, source), ['label', 'review'], 2, source);
}

/**
 * Rows after a header that must read `header` (trimmed, any case) into examples: field 0 is the
 * label, field 1 the text (trimmed).
 */
function examplesFromTable(rows: TableRow[], header: readonly string[], classCount: number, source: string): Example[] {
  if (rows.length === 0) throw new DataError(`${source}: is empty; expected the header ${JSON.stringify(header.join(','))} and one example per row`);
  const found = rows[0].fields.map((field) => field.trim().toLowerCase());
  if (found.length !== header.length || found.some((name, i) => name !== header[i])) {
    throw new DataError(`${source}: line ${rows[0].lineNumber}: expected the header ${JSON.stringify(header)} but found ${JSON.stringify(rows[0].fields)}; is this the right file?`);
  }
  const examples: Example[] = [];
  for (const row of rows.slice(1)) {
    if (row.fields.length !== header.length) {
      throw new DataError(`${source}: line ${row.lineNumber}: expected ${header.length} fields (${header.join(', ')}) but found ${row.fields.length}: ${quoteStart(row.fields.join(' | '))}`);
    }
    examples.push({ text: row.fields[1].trim(), label: parseLabel(row.fields[0], classCount, source, row.lineNumber) });
  }
  return examples;
}

/** A class number 0…classCount−1 written as digits (surrounding spaces allowed). */
function parseLabel(field: string, classCount: number, source: string, lineNumber: number): number {
  const trimmed = field.trim();
  const label = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isInteger(label) || label >= classCount) {
    throw new DataError(`${source}: line ${lineNumber}: label ${JSON.stringify(field)} is not a class number 0…${classCount - 1}`);
  }
  return label;
}

/** The start of a line for a message, quoted. */
function quoteStart(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
