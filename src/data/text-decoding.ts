/**
 * Bytes to text for the corpora: MR and Subj are windows-1252 (bytes 0x85, 0x91–0x97 and accented
 * Latin-1 letters), everything else UTF-8. Pure code.
 *
 * Node's `TextDecoder('windows-1252')` cannot be used: without full ICU it decodes Latin-1 and
 * turns 0x85 into the control character U+0085 instead of `…`.
 */
import { DataError } from './dataset';

/** Marks a byte that windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D). */
const UNDEFINED = 0xfffd;

/**
 * Code points of windows-1252 bytes 0x80–0x9F, where it differs from Latin-1 (the cp1252 table
 * of the Unicode Consortium's mapping file; undefined bytes become U+FFFD).
 */
const CP1252_HIGH_CONTROL_RANGE: readonly number[] = [
  0x20ac, UNDEFINED, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, // 80–87: € ‚ ƒ „ … † ‡
  0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, UNDEFINED, 0x017d, UNDEFINED, // 88–8F: ˆ ‰ Š ‹ Œ Ž
  UNDEFINED, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, // 90–97: ‘ ’ “ ” • – —
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, UNDEFINED, 0x017e, 0x0178, // 98–9F: ˜ ™ š › œ ž Ÿ
];

/** Byte → UTF-16 code unit for all 256 windows-1252 bytes (every one is in the BMP). */
const CP1252_TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) table[byte] = byte;
  CP1252_HIGH_CONTROL_RANGE.forEach((codePoint, offset) => {
    table[0x80 + offset] = codePoint;
  });
  return table;
})();

/**
 * Decodes windows-1252 bytes: 0x00–0x7F as ASCII, 0x80–0x9F by the cp1252 table (0x85 → `…`,
 * 0x91–0x94 → curly quotes, 0x96/0x97 → en/em dash), 0xA0–0xFF as Latin-1 (0xE9 → `é`), and the
 * five undefined bytes as U+FFFD. Never throws.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  const chunkSize = 8192;
  const parts: string[] = [];
  const units = new Uint16Array(Math.min(chunkSize, bytes.length));
  for (let start = 0; start < bytes.length; start += chunkSize) {
    const end = Math.min(start + chunkSize, bytes.length);
    for (let i = start; i < end; i++) units[i - start] = CP1252_TABLE[bytes[i]];
    parts.push(String.fromCharCode(...units.subarray(0, end - start)));
  }
  return parts.join('');
}

/**
 * Decodes UTF-8 strictly, dropping a leading byte-order mark. Invalid bytes throw a `DataError`
 * naming `source`, so a file in the wrong encoding is reported instead of read as U+FFFD.
 */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new DataError(`${source}: is not valid UTF-8; the file may be damaged or in another encoding (get a fresh copy of the data)`, { cause: error });
  }
  return stripByteOrderMark(text);
}

/** The text without a leading U+FEFF byte-order mark. */
export function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** One line of a text file with its 1-based line number (for error messages). */
export interface NumberedLine {
  text: string;
  lineNumber: number;
}

/**
 * The lines of a text, split at `\n`, `\r\n` or a lone `\r`, with the line terminators removed.
 * A final terminator does not start an empty last line.
 */
export function splitLines(text: string): NumberedLine[] {
  const pieces = text.split(/\r\n|\n|\r/);
  if (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces.map((line, index) => ({ text: line, lineNumber: index + 1 }));
}

/**
 * The lines of `splitLines`, one at a time: the same texts and numbers, without building the whole
 * array first (a batch file of a million lines is read in steps, see `readLabelledTextSteps`).
 */
export function* iterateLines(text: string): Generator<NumberedLine, void, undefined> {
  const terminator = /\r\n|\n|\r/g;
  let start = 0;
  let lineNumber = 1;
  for (let match = terminator.exec(text); match !== null; match = terminator.exec(text)) {
    yield { text: text.slice(start, match.index), lineNumber: lineNumber++ };
    start = match.index + match[0].length;
  }
  if (start < text.length) yield { text: text.slice(start), lineNumber };
}
