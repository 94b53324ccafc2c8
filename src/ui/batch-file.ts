/**
 * Reading a batch file dropped on the page: bytes to text (refusing binary files), then texts and
 * labels with the project's reader (`readLabelledTextFile`: one text per line, or TSV / CSV with a
 * label column). Pure: bytes and strings in, texts and labels out.
 *
 * The app reads files in the engine worker with `readBatchFile`, which does the same in steps of a
 * few milliseconds (so a cancel or a newer file is seen at once) and refuses files over
 * `MAX_BATCH_FILE_BYTES` or `MAX_BATCH_TEXTS`; the page only gets a `BatchFileSummary`.
 */
import { CancelledError } from '../engine/errors';
import { readLabelledTextFile, readLabelledTextSteps, type LabelledTexts } from '../data/labelled-text';
import { decodeWindows1252 } from '../data/text-decoding';

/** How the file was read. */
export type BatchFileFormat = 'lines' | 'tsv' | 'csv' | 'label-lines';

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

/** Largest batch file read, in bytes (50 MB). */
export const MAX_BATCH_FILE_BYTES = 50_000_000;
/** Most texts in one batch file. */
export const MAX_BATCH_TEXTS = 100_000;
/** The limits as the page states them. */
export const BATCH_LIMITS = `Up to 50 MB and ${MAX_BATCH_TEXTS.toLocaleString('en-US')} texts per file.`;

/** What the page is told of a file read in the worker: enough to show it, not its texts. */
export interface BatchFileSummary {
  name: string;
  count: number;
  format: BatchFileFormat;
  /** Distinct labels in order of appearance (at most 7), or null when the file has none. */
  labels: string[] | null;
  /** The first rows, for a preview. */
  preview: { text: string; label: string | null }[];
}

const EXPECTED = 'Use a UTF-8 text file: one text per line, or TSV / CSV with a header that has a "label" and a "text" column.';

/**
 * Decodes a file's bytes as text: UTF-8, else windows-1252 (as some classic corpora are stored).
 * Throws `BatchFileError` for binary data (NUL bytes or many control characters).
 */
export function decodeTextFile(bytes: Uint8Array, fileName: string): string {
  checkNotBinary(bytes, fileName);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** Throws `BatchFileError` when the first 64 KiB hold a NUL byte or more than 1 % control bytes. */
function checkNotBinary(bytes: Uint8Array, fileName: string): void {
  const head = bytes.subarray(0, 65536);
  let control = 0;
  for (const byte of head) {
    if (byte === 0) throw new BatchFileError(`"${fileName}" is not a text file (it holds binary data). ${EXPECTED}`);
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) control++;
  }
  if (head.length > 0 && control / head.length > 0.01) throw new BatchFileError(`"${fileName}" is not a text file (it holds control bytes). ${EXPECTED}`);
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
  return labelledFile(parsed, fileName);
}

/** The one-line refusal of a file over `MAX_BATCH_FILE_BYTES`. */
export function tooLargeMessage(fileName: string, bytes: number): string {
  return `"${fileName}" is ${(Math.ceil(bytes / 100_000) / 10).toFixed(1)} MB; the limit is 50 MB per batch file. Split it into smaller files.`;
}

/** The one-line refusal of a file with more than `MAX_BATCH_TEXTS` texts. */
function tooManyMessage(fileName: string): string {
  return `"${fileName}" holds more than ${MAX_BATCH_TEXTS.toLocaleString('en-US')} texts, the limit per batch file. Split it into smaller files.`;
}

/** How `readBatchFile` shares the thread: it pauses about every `sliceMs` and stops when `signal` aborts. */
export interface StepOptions {
  signal?: AbortSignal;
  sliceMs?: number;
  /** Bytes decoded per step. */
  chunkBytes?: number;
  /** Lines or records read per step. */
  rowsPerStep?: number;
}

/** A pause that lets other messages in (a cancel, a newer request). */
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('Reading the file was cancelled.');
}

/**
 * `decodeTextFile` in steps: the same text, decoded `chunkBytes` at a time with a pause every
 * `sliceMs`; throws `CancelledError` once `signal` aborts.
 */
export async function decodeTextFileInSteps(bytes: Uint8Array, fileName: string, options: StepOptions = {}): Promise<string> {
  const { signal, sliceMs = 20, chunkBytes = 1 << 20 } = options;
  // The binary check of decodeTextFile, on the first 64 KiB only.
  checkNotBinary(bytes, fileName);
  let last = performance.now();
  const step = async () => {
    if (performance.now() - last >= sliceMs) {
      await pause();
      last = performance.now();
    }
    throwIfAborted(signal);
  };
  const parts: string[] = [];
  try {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (let start = 0; start < bytes.length; start += chunkBytes) {
      await step();
      parts.push(decoder.decode(bytes.subarray(start, start + chunkBytes), { stream: start + chunkBytes < bytes.length }));
    }
    parts.push(decoder.decode());
    return parts.join('').replace(/^\uFEFF/, '');
  } catch (error) {
    if ((error as Error).name === 'CancelledError') throw error;
  }
  parts.length = 0;
  for (let start = 0; start < bytes.length; start += chunkBytes) {
    await step();
    parts.push(decodeWindows1252(bytes.subarray(start, start + chunkBytes)));
  }
  return parts.join('');
}

/**
 * `parseBatchText` in steps, refusing more than `MAX_BATCH_TEXTS` texts as soon as they are
 * counted: the same texts, labels and errors, with a pause every `sliceMs`.
 */
export async function parseBatchTextInSteps(text: string, fileName = 'file', options: StepOptions = {}): Promise<BatchFile> {
  const { signal, sliceMs = 20, rowsPerStep = 512 } = options;
  let parsed: LabelledTexts;
  try {
    const steps = readLabelledTextSteps(text, rowsPerStep);
    let last = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done) {
        parsed = step.value;
        break;
      }
      if (step.value > MAX_BATCH_TEXTS) throw new BatchFileError(tooManyMessage(fileName));
      if (performance.now() - last >= sliceMs) {
        await pause();
        last = performance.now();
      }
      throwIfAborted(signal);
    }
  } catch (error) {
    if ((error as Error).name === 'DataError') throw new BatchFileError(`"${fileName}": ${(error as Error).message.replace(/^the text file: /, '')}.`);
    throw error;
  }
  if (parsed.texts.length > MAX_BATCH_TEXTS) throw new BatchFileError(tooManyMessage(fileName));
  return labelledFile(parsed, fileName);
}

function labelledFile(parsed: LabelledTexts, fileName: string): BatchFile {
  if (parsed.texts.length === 0) throw new BatchFileError(`"${fileName}" holds no text to classify. ${EXPECTED}`);
  const labelled = parsed.labels.some((label) => label !== null);
  return { texts: parsed.texts, labels: labelled ? parsed.labels : null, format: parsed.format };
}

/**
 * A batch file's bytes to texts and labels, in steps (see `StepOptions`): refuses more than
 * `MAX_BATCH_FILE_BYTES` before decoding anything, binary data, and more than `MAX_BATCH_TEXTS`.
 */
export async function readBatchFile(bytes: Uint8Array, fileName: string, options: StepOptions = {}): Promise<BatchFile> {
  if (bytes.length > MAX_BATCH_FILE_BYTES) throw new BatchFileError(tooLargeMessage(fileName, bytes.length));
  const text = await decodeTextFileInSteps(bytes, fileName, options);
  return parseBatchTextInSteps(text, fileName, options);
}

/** What the page shows of a file: its size in texts, its layout, its labels and first rows. */
export function summarizeBatchFile(file: BatchFile, name: string, previewRows = 8): BatchFileSummary {
  let labels: string[] | null = null;
  if (file.labels) {
    const distinct = new Set<string>();
    for (const label of file.labels) {
      if (label === null) continue;
      distinct.add(label);
      if (distinct.size >= 7) break;
    }
    labels = [...distinct];
  }
  return {
    name,
    count: file.texts.length,
    format: file.format,
    labels,
    preview: file.texts.slice(0, previewRows).map((text, i) => ({ text, label: file.labels?.[i] ?? null })),
  };
}
