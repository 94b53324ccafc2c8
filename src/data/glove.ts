/**
 * GloVe word vectors in GloVe's text format, `word v1 … vD` per line separated by single spaces
 * (shared/data/embeddings/glove.6B.100d.top60k.txt: 65,008 words, D = 100, 56 MB). The file is
 * streamed line by line into one `[words][dim]` float32 table.
 *
 * The pure part, `GloveTableBuilder`, takes lines and can be tested on strings; `readGlove` is the
 * Node file layer. For the encoder's global mean and std of the table, use
 * `embeddingStatistics(table.vectors)` from src/model/encoding.ts (and record which table it was
 * computed over: README gives the figures of the full 400k-word table).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DataError } from './dataset';
import { defaultDataDir } from './load';

/** Path of the GloVe file inside the data directory. */
export const GLOVE_FILE = join('embeddings', 'glove.6B.100d.top60k.txt');

/** The GloVe file in `dataDir` (default: `defaultDataDir()`). */
export function defaultGlovePath(dataDir: string = defaultDataDir()): string {
  return join(dataDir, GLOVE_FILE);
}

/** Word vectors read from a GloVe file. */
export interface GloveTable {
  /** Words in file order (GloVe's frequency order); `words[i]` owns row i of `vectors`. */
  words: string[];
  /** `[words.length][dim]`, row-major. */
  vectors: Float32Array;
  dim: number;
  /** Lines skipped because they were not `word` and `dim` finite numbers. */
  malformedLines: number;
  /** Lines skipped because their word already had a row (the first one is kept). */
  duplicateWords: number;
}

/** What to keep from a GloVe file. */
export interface GloveReadOptions {
  /** Keep at most this many words (the most frequent ones first); stop reading there. */
  limit?: number;
  /** Keep only these words (exact match); the table keeps the file's order. */
  vocabulary?: Iterable<string>;
}

/**
 * Collects GloVe lines into a table. The dimension is fixed by the first well-formed line; a
 * word2vec-style first line `COUNT DIM` is skipped. Lines with another number of values, a value
 * that is not a finite number, or an empty word count as malformed; blank lines are ignored.
 */
export class GloveTableBuilder {
  private readonly limit: number;
  private readonly keep: ReadonlySet<string> | null;
  private readonly seen = new Set<string>();
  private readonly words: string[] = [];
  private vectors = new Float32Array(0);
  private dim = 0;
  private linesSeen = 0;
  private malformedLines = 0;
  private duplicateWords = 0;

  /** Checks the options; a `limit` that is not a positive integer throws a `DataError`. */
  constructor(options: GloveReadOptions = {}) {
    const limit = options.limit ?? Infinity;
    if (limit !== Infinity && !(Number.isInteger(limit) && limit > 0)) throw new DataError(`GloVe word limit ${limit} must be a positive integer`);
    this.limit = limit;
    this.keep = options.vocabulary === undefined ? null : new Set(options.vocabulary);
  }

  /** Whether the table holds `limit` words, so the rest of the file need not be read. */
  get isFull(): boolean {
    return this.words.length >= this.limit;
  }

  /** Adds one line of the file (with or without its line terminator). */
  addLine(rawLine: string): void {
    this.linesSeen++;
    const line = rawLine.replace(/[\r\n ]+$/, '');
    if (line.length === 0 || this.isFull) return;
    const fields = line.split(' ');
    if (this.linesSeen === 1 && fields.length === 2 && /^\d+$/.test(fields[0]) && /^\d+$/.test(fields[1])) return;
    const word = fields[0];
    const valueCount = fields.length - 1;
    if (word.length === 0 || valueCount === 0 || (this.dim !== 0 && valueCount !== this.dim)) {
      this.malformedLines++;
      return;
    }
    const values = new Float32Array(valueCount);
    for (let i = 0; i < valueCount; i++) {
      const value = Number(fields[i + 1]);
      if (fields[i + 1].length === 0 || !Number.isFinite(value)) {
        this.malformedLines++;
        return;
      }
      values[i] = value;
    }
    if (this.dim === 0) this.dim = valueCount;
    if (this.keep !== null && !this.keep.has(word)) return;
    if (this.seen.has(word)) {
      this.duplicateWords++;
      return;
    }
    this.append(word, values);
  }

  /** The table of the words added so far (a copy, sized exactly). */
  finish(): GloveTable {
    return {
      words: [...this.words],
      vectors: this.vectors.slice(0, this.words.length * this.dim),
      dim: this.dim,
      malformedLines: this.malformedLines,
      duplicateWords: this.duplicateWords,
    };
  }

  private append(word: string, values: Float32Array): void {
    const offset = this.words.length * this.dim;
    if (offset + this.dim > this.vectors.length) {
      const grown = new Float32Array(Math.max(1024 * this.dim, this.vectors.length * 2));
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(values, offset);
    this.words.push(word);
    this.seen.add(word);
  }
}

/**
 * Streams a GloVe text file (UTF-8) into a table, keeping the words `options` asks for. A missing
 * file, or one with no well-formed line, throws a `DataError` that says where the file should be.
 */
export async function readGlove(path: string, options: GloveReadOptions = {}): Promise<GloveTable> {
  const builder = new GloveTableBuilder(options);
  try {
    if (!(await stat(path)).isFile()) throw new DataError(`${path} is not a file: pass the path of a GloVe text file`);
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`No GloVe vectors at ${path}: pass --data-dir or set SPIKESCOPE_DATA_DIR (the file is <data dir>/${GLOVE_FILE})`, { cause: error });
  }
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      builder.addLine(line);
      if (builder.isFull) break;
    }
  } catch (error) {
    throw new DataError(`${path}: reading the GloVe file failed (${(error as Error).message})`, { cause: error });
  } finally {
    lines.close();
    stream.destroy();
  }
  const table = builder.finish();
  if (table.dim === 0) {
    throw new DataError(`${path}: holds no GloVe vectors (${table.malformedLines} malformed lines); expected "word v1 … vD" per line`);
  }
  return table;
}
