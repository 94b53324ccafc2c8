/**
 * Delimiter-separated tables: CSV with RFC 4180 quoting (Waimai, user batch files) and plain TSV
 * (ChnSentiCorp). Pure code; errors are `DataError`s that name the source and line.
 */
import { DataError } from './dataset';
import { iterateLines } from './text-decoding';

/** One record of a table with the 1-based line on which it starts. */
export interface TableRow {
  fields: string[];
  lineNumber: number;
}

const QUOTE = 0x22;
const CARRIAGE_RETURN = 0x0d;
const LINE_FEED = 0x0a;

/**
 * Parses CSV (RFC 4180, read leniently the way Python's `csv` module reads it):
 *  - fields are separated by `delimiter` (`,` by default), records by CRLF, LF or a lone CR;
 *  - a field that starts with `"` is quoted: it may hold delimiters, line breaks (kept as they are)
 *    and `""` for one quote, and must be followed by a delimiter, a line break or the end;
 *  - a `"` inside an unquoted field is an ordinary character (Waimai has `无语O__O"…问苍天`);
 *  - empty lines are skipped (they are no record), a final line break is optional.
 * A quoted field that is never closed, or text after a closing quote, throws a `DataError`.
 */
export function parseCsv(text: string, source: string, delimiter = ','): TableRow[] {
  checkDelimiter(delimiter);
  return Array.from(iterateCsv(text, source, delimiter));
}

function checkDelimiter(delimiter: string): void {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new DataError(`CSV delimiter ${JSON.stringify(delimiter)} is not allowed; use one character other than a quote or line break`);
  }
}

/** The records of `parseCsv`, one at a time (same rows, same errors, raised when their line is reached). */
export function* iterateCsv(text: string, source: string, delimiter = ','): Generator<TableRow, void, undefined> {
  checkDelimiter(delimiter);
  const delimiterCode = delimiter.charCodeAt(0);
  const length = text.length;
  let position = 0;
  let line = 1;
  while (position < length) {
    const rowLine = line;
    const fields: string[] = [];
    let isEmptyLine = true;
    for (;;) {
      if (text.charCodeAt(position) === QUOTE) {
        const quoted = readQuotedField(text, position, line, source);
        fields.push(quoted.field);
        position = quoted.end;
        line = quoted.line;
        isEmptyLine = false;
        const next = text.charCodeAt(position);
        if (position < length && next !== delimiterCode && next !== LINE_FEED && next !== CARRIAGE_RETURN) {
          throw new DataError(`${source}: line ${line}: text after the closing quote of a field; quote the whole field and write inner quotes as ""`);
        }
      } else {
        let cursor = position;
        while (cursor < length) {
          const code = text.charCodeAt(cursor);
          if (code === delimiterCode || code === LINE_FEED || code === CARRIAGE_RETURN) break;
          cursor++;
        }
        fields.push(text.slice(position, cursor));
        if (cursor > position) isEmptyLine = false;
        position = cursor;
      }
      if (position < length && text.charCodeAt(position) === delimiterCode) {
        position++;
        isEmptyLine = false;
        continue;
      }
      break;
    }
    if (text.charCodeAt(position) === CARRIAGE_RETURN && text.charCodeAt(position + 1) === LINE_FEED) position += 2;
    else if (position < length) position++;
    line++;
    if (!isEmptyLine) yield { fields, lineNumber: rowLine };
  }
}

/**
 * Reads the quoted field whose opening quote is at `start`: `""` becomes one quote, line breaks
 * are kept. Returns the field, the position after the closing quote and the line reached.
 */
function readQuotedField(text: string, start: number, startLine: number, source: string): { field: string; end: number; line: number } {
  const pieces: string[] = [];
  let line = startLine;
  let pieceStart = start + 1;
  let cursor = pieceStart;
  for (;;) {
    if (cursor >= text.length) throw new DataError(`${source}: line ${startLine}: a quoted field is never closed; add the closing " (write a quote inside a field as "")`);
    const code = text.charCodeAt(cursor);
    if (code === QUOTE) {
      if (text.charCodeAt(cursor + 1) !== QUOTE) break;
      pieces.push(text.slice(pieceStart, cursor + 1));
      cursor += 2;
      pieceStart = cursor;
      continue;
    }
    if (code === LINE_FEED || (code === CARRIAGE_RETURN && text.charCodeAt(cursor + 1) !== LINE_FEED)) line++;
    cursor++;
  }
  pieces.push(text.slice(pieceStart, cursor));
  return { field: pieces.join(''), end: cursor + 1, line };
}

/**
 * Parses TSV without quoting: each line split at tabs, a quote is an ordinary character
 * (ChnSentiCorp texts hold quotes and never tabs). Empty lines are skipped.
 */
export function parseTsv(text: string): TableRow[] {
  return Array.from(iterateTsv(text));
}

/** The records of `parseTsv`, one at a time. */
export function* iterateTsv(text: string): Generator<TableRow, void, undefined> {
  for (const line of iterateLines(text)) if (line.text.length > 0) yield { fields: line.text.split('\t'), lineNumber: line.lineNumber };
}
