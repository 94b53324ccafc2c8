/**
 * Reading a batch file dropped on the page: bytes to text (refusing binary files), then texts and
 * labels with the project's reader (`readLabelledTextFile`: one text per line, or TSV / CSV with a
 * label column). Pure: bytes and strings in, texts and labels out.
 */
import { readLabelledTextFile } from '../data/labelled-text';
import { decodeWindows1252 } from '../data/text-decoding';

/** How the file was read. */
export type BatchFileFormat = 'lines' | 'tsv' | 'csv';

/** Texts of a batch file, with a label per text (null where a row has none) when the file has a label column. */
export interface BatchFile {
  texts: string[];
  /** Null when no row has a label. */
  labels: (string | null)[] | null;
  format: BatchFileFormat;
}

/** The file cannot be used as a batch (not text, no rows, a malformed table); the message says what to give instead. */
export class BatchFileError extends Error {
  override name = 'BatchFileError';
}

const EXPECTED = 'Use a UTF-8 text file: one text per line, or TSV / CSV with a header that has a "label" and a "text" column.';

/**
 * Decodes a file's bytes as text: UTF-8, else windows-1252 (as some classic corpora are stored).
 * Throws `BatchFileError` for binary data (NUL bytes or many control characters).
 */
export function decodeTextFile(bytes: Uint8Array, fileName: string): string {
  const head = bytes.subarray(0, 65536);
  let control = 0;
  for (const byte of head) {
    if (byte === 0) throw new BatchFileError(`"${fileName}" is not a text file (it holds binary data). ${EXPECTED}`);
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) control++;
  }
  if (head.length > 0 && control / head.length > 0.01) throw new BatchFileError(`"${fileName}" is not a text file (it holds control bytes). ${EXPECTED}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** Reads the texts and labels of a decoded batch file; throws `BatchFileError` naming the file and the problem. */
export function parseBatchText(text: string, fileName = 'file'): BatchFile {
  let parsed;
  try {
    parsed = readLabelledTextFile(text);
  } catch (error) {
    if ((error as Error).name === 'DataError') throw new BatchFileError(`"${fileName}": ${(error as Error).message.replace(/^the text file: /, '')}.`);
    throw error;
  }
  if (parsed.texts.length === 0) throw new BatchFileError(`"${fileName}" holds no text to classify. ${EXPECTED}`);
  const labelled = parsed.labels.some((label) => label !== null);
  return { texts: parsed.texts, labels: labelled ? parsed.labels : null, format: parsed.format };
}
