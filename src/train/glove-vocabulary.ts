/**
 * The English vocabulary from the GloVe file in the data folder (Node only: it reads the file). The
 * page builds the same vocabulary from the default model instead (`vocabularyFromModel`).
 */
import { defaultGlovePath, readGlove } from '../data/glove';
import { embeddingStatistics, firingProbabilities } from '../model/encoding';
import { quantizeTable } from '../model/format';
import { Vocabulary } from '../model/vocabulary';
import type { GloveVocabularyOptions, PreparedVocabulary } from './prepare';

/** English: the words of the GloVe file (so typed sentences are mostly known words), I8-quantised. */
export async function gloveVocabulary(dataDir: string | undefined, options: GloveVocabularyOptions): Promise<PreparedVocabulary> {
  const { clipSigmas, binarySigmas } = options;
  const clipLowSigmas = options.clipLowSigmas ?? clipSigmas;
  const glove = await readGlove(defaultGlovePath(dataDir));
  const stored = quantizeTable(glove.vectors, 'I8');
  const embeddings = Float32Array.from(stored.data, (q) => Math.fround((q - stored.quantZero) * stored.quantScale));
  const { mean, std } = embeddingStatistics(embeddings);
  let words = glove.words;
  let rows: number[] | null = null;
  if (options.limit && options.limit < glove.words.length) {
    const keep = new Set(options.keep ?? []);
    rows = [];
    glove.words.forEach((word, i) => {
      if (i < options.limit! || keep.has(word)) rows!.push(i);
    });
    words = rows.map((i) => glove.words[i]);
  }
  const dim = glove.dim;
  const pick = <A extends Float32Array | Int8Array | Uint8Array>(table: A): A => {
    if (!rows) return table;
    const out = new (table.constructor as new (n: number) => A)(rows.length * dim);
    rows.forEach((row, i) => out.set(table.subarray(row * dim, (row + 1) * dim), i * dim));
    return out;
  };
  const keptEmbeddings = pick(embeddings);
  return {
    tokenizer: 'english',
    vocabulary: new Vocabulary(words),
    dim,
    stored: { ...stored, data: pick(stored.data) },
    embeddings: keptEmbeddings,
    mean,
    std,
    clipSigmas,
    clipLowSigmas,
    binarySigmas,
    statsSource: `glove.6B.100d top-${glove.words.length} subset as shipped (I8-dequantised)`,
    source: rows ? `glove.6B.100d (the ${options.limit} most frequent words and the dataset's words: ${words.length})` : 'glove.6B.100d',
    probabilities: firingProbabilities(keptEmbeddings, dim, mean, std, clipSigmas, clipLowSigmas, binarySigmas),
    learned: false,
  };
}
