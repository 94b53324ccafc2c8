/**
 * A person's own labelled texts as a training set (the app's Train view and `spikescope train
 * --file`): one file in a layout of `readLabelledTextFile` (a table with a header whose text and
 * label columns the person may choose, SST's `LABEL TEXT` lines, a headerless TSV), or one file
 * per class (each non-blank line a text, the class named after the file). Pure code: the browser
 * and Node read a training file the same way.
 *
 * Every problem is one line that says what to fix: no labels, some texts without a label, one
 * class, too many classes, too few texts, binary data, a file over the size limit.
 */
import { DataError, type Example } from '../data/dataset';
import { readLabelledTextFile, tableHeader, type ChosenColumns } from '../data/labelled-text';
import { seededHoldOutIndices, splitByIndices, SplitStream } from '../data/split';
import { decodeTextFile } from '../ui/batch-file';

/** Largest training file (each one) read: 50 MB, about 400,000 sentences. */
export const MAX_TRAINING_FILE_BYTES = 50_000_000;
/** Most texts trained on. */
export const MAX_TRAINING_TEXTS = 500_000;
/** Most classes. */
export const MAX_TRAINING_CLASSES = 100;
/** Fewest texts: some for dev, and a few per class for training. */
export const MIN_TRAINING_TEXTS = 10;

/** A file's name and decoded text. */
export interface TrainingFile {
  name: string;
  text: string;
}

/** A training set read from files: class names (in order), the examples, and how they were read. */
export interface LabelledSet {
  classes: string[];
  examples: Example[];
  /** `table (csv)`, `label-lines`, `one file per class`… for the summary. */
  layout: string;
  /** A table's header and the columns used (the app offers the others). */
  header?: { format: 'csv' | 'tsv'; fields: string[]; chosen: ChosenColumns };
}

/** The one-line refusal of a training file over `MAX_TRAINING_FILE_BYTES`. */
export function trainingFileTooLarge(name: string, bytes: number): string {
  return `"${name}" is ${(bytes / 1e6).toFixed(1)} MB; the limit is ${MAX_TRAINING_FILE_BYTES / 1e6} MB per training file (about 400,000 sentences): train on a part of it`;
}

/**
 * A training file's bytes as text (UTF-8, else windows-1252), refusing a file over the size limit
 * or with binary data in one line. Callers check the size before reading the bytes when they can.
 */
export function decodeTrainingFile(bytes: Uint8Array, name: string): TrainingFile {
  if (bytes.length > MAX_TRAINING_FILE_BYTES) throw new DataError(trainingFileTooLarge(name, bytes.length));
  try {
    return { name, text: decodeTextFile(bytes, name) };
  } catch (error) {
    throw new DataError((error as Error).message);
  }
}

/** Class order: numeric labels by value (SST's 0…4), others in order of first appearance. */
function classOrder(labels: readonly string[]): string[] {
  const distinct = [...new Set(labels)];
  if (distinct.every((label) => /^-?\d{1,9}$/.test(label))) return distinct.sort((a, b) => Number(a) - Number(b));
  return distinct;
}

/** The name of a class read from a file name: without folders and extension. */
export function classFromFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const stem = base.replace(/\.(txt|text|csv|tsv|lines|pos|neg)$/i, '');
  return (stem.length > 0 ? stem : base).trim() || base;
}

/**
 * Reads the training files: one labelled file, or one file per class (two or more files). Throws
 * `DataError` with one line for anything it cannot train on.
 */
export function readTrainingFiles(files: readonly TrainingFile[], chosen?: ChosenColumns): LabelledSet {
  if (files.length === 0) throw new DataError('no training file given: choose a labelled file, or one file per class');
  const set = files.length === 1 ? readOneFile(files[0], chosen) : readFilePerClass(files);
  checkSet(set, files.length === 1 ? `"${files[0].name}"` : 'the files');
  return set;
}

function readOneFile(file: TrainingFile, chosen?: ChosenColumns): LabelledSet {
  const header = tableHeader(file.text);
  let parsed;
  try {
    parsed = readLabelledTextFile(file.text, chosen ?? (header?.guess?.label != null ? { text: header.guess.text, label: header.guess.label } : undefined));
  } catch (error) {
    if (error instanceof DataError) throw new DataError(`"${file.name}": ${error.message.replace(/^the text file: /, '')}`);
    throw error;
  }
  if (parsed.texts.length === 0) throw new DataError(`"${file.name}" holds no text: give a table with a text and a label column, \`LABEL TEXT\` lines, or one file per class`);
  if (header && !chosen && header.guess?.label == null) {
    throw new DataError(`"${file.name}": its header (${header.fields.join(', ')}) has no label column: choose the label column, or name it "label"`);
  }
  if (parsed.format === 'lines') {
    throw new DataError(`"${file.name}" has no labels: give a table with a label column (CSV or TSV with a header), SST's \`LABEL TEXT\` lines, or one file per class (pick several files)`);
  }
  let missing = 0;
  let firstMissing = -1;
  parsed.labels.forEach((label, i) => {
    if (label === null) {
      missing++;
      if (firstMissing < 0) firstMissing = i;
    }
  });
  if (missing > 0) {
    throw new DataError(`"${file.name}": ${missing} of ${parsed.texts.length} texts have no label (the first: "${clip(parsed.texts[firstMissing], 40)}"); label every text or remove those rows`);
  }
  const labels = parsed.labels as string[];
  const classes = classOrder(labels);
  const index = new Map(classes.map((name, i) => [name, i]));
  const examples = parsed.texts.map((text, i) => ({ text, label: index.get(labels[i])! }));
  const used = chosen ?? (header?.guess?.label != null ? { text: header.guess.text, label: header.guess.label } : undefined);
  return {
    classes,
    examples,
    layout: parsed.format === 'label-lines' ? '`LABEL TEXT` lines' : header ? `a ${parsed.format.toUpperCase()} table` : `a ${parsed.format.toUpperCase()} table without a header`,
    ...(header && used ? { header: { format: header.format, fields: header.fields, chosen: used } } : {}),
  };
}

function readFilePerClass(files: readonly TrainingFile[]): LabelledSet {
  const classes = files.map((file) => classFromFileName(file.name));
  const seen = new Map<string, string>();
  files.forEach((file, i) => {
    const other = seen.get(classes[i]);
    if (other !== undefined) throw new DataError(`"${other}" and "${file.name}" would both be class "${classes[i]}": one file per class, each named after its class`);
    seen.set(classes[i], file.name);
  });
  const examples: Example[] = [];
  files.forEach((file, label) => {
    let count = 0;
    for (const line of file.text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)) {
      const text = line.trim();
      if (text.length === 0) continue;
      examples.push({ text, label });
      count++;
    }
    if (count === 0) throw new DataError(`"${file.name}" holds no text: each class file needs one text per line`);
  });
  return { classes, examples, layout: `one file per class (${files.length} files)` };
}

function checkSet(set: LabelledSet, what: string): void {
  if (set.classes.length < 2) {
    throw new DataError(`${what}: every text has the label "${clip(set.classes[0] ?? '', 30)}"; a classifier needs at least two classes`);
  }
  if (set.classes.length > MAX_TRAINING_CLASSES) {
    throw new DataError(`${what}: ${set.classes.length} distinct labels, more than ${MAX_TRAINING_CLASSES}; is the label column the right one?`);
  }
  if (set.examples.length < MIN_TRAINING_TEXTS) throw new DataError(`${what}: ${set.examples.length} texts; training needs at least ${MIN_TRAINING_TEXTS}`);
  if (set.examples.length > MAX_TRAINING_TEXTS) throw new DataError(`${what}: ${set.examples.length.toLocaleString('en-US')} texts, more than the ${MAX_TRAINING_TEXTS.toLocaleString('en-US')} trained on here: train on a part of them`);
  const counts = classCountsOf(set);
  const lonely = counts.findIndex((count) => count < 2);
  if (lonely >= 0) throw new DataError(`${what}: class "${clip(set.classes[lonely], 30)}" has ${counts[lonely]} text; every class needs at least 2`);
}

/** Texts per class. */
export function classCountsOf(set: Pick<LabelledSet, 'classes' | 'examples'>): number[] {
  const counts = new Array<number>(set.classes.length).fill(0);
  for (const example of set.examples) counts[example.label]++;
  return counts;
}

/** A seeded dev split of `fraction` of the examples (its own shuffle stream), at least one text. */
export function splitDev(examples: readonly Example[], fraction: number, seed: number): { train: Example[]; dev: Example[] } {
  if (!(fraction > 0 && fraction < 0.9)) throw new DataError(`dev fraction ${fraction} must be above 0 and below 0.9, e.g. 0.1`);
  const indices = seededHoldOutIndices(examples.length, fraction, seed, SplitStream.Dev);
  if (indices.length === 0 || indices.length === examples.length) throw new DataError(`a dev split of ${fraction} of ${examples.length} texts leaves no texts for dev or for training`);
  const { selected, rest } = splitByIndices(examples, indices);
  return { train: rest, dev: selected };
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
