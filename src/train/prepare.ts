/**
 * From a dataset to what training needs: the vocabulary, the embedding table the model will ship
 * (English: the 65k GloVe words, frozen, stored I8; Chinese: the training set's characters, learned),
 * the encoder's statistics and firing probabilities exactly as a loaded model computes them, and the
 * examples as vocabulary rows.
 */
import type { Dataset, Example } from '../data/dataset';
import { embeddingStatistics, firingProbabilities } from '../model/encoding';
import type { LoadedModel, QuantizedTable } from '../model/format';
import { tokenize, type TokenizerKind } from '../model/tokenizer';
import { Vocabulary } from '../model/vocabulary';
import { randomUniformTensor } from '../model/random-tensor';
import type { EncodedExample } from './batches';

/** The encoder and embedding of a model to train. */
export interface PreparedVocabulary {
  tokenizer: TokenizerKind;
  /** The model's language, when the tokeniser does not say it (a learned table of words in a Latin script is `en`). */
  language?: 'en' | 'zh';
  vocabulary: Vocabulary;
  dim: number;
  /** The table as stored in the model (I8 for GloVe; learned tables are quantised after training). */
  stored: QuantizedTable | null;
  /** The table's values as a loaded model sees them (dequantised). */
  embeddings: Float32Array;
  mean: number;
  std: number;
  clipSigmas: number;
  /** Lower end of the clip range in σ (= clipSigmas unless the input is made sparse). */
  clipLowSigmas: number;
  /** Binary input: p = 1 at or above μ + kB·σ (see `firingProbabilities`), or undefined. */
  binarySigmas?: number;
  statsSource: string;
  source: string;
  /** Firing probabilities `[vocab][dim]`: frozen input of the ANN (GloVe) or the learned table's start. */
  probabilities: Float32Array;
  learned: boolean;
}

/**
 * The statistics that make a learned table its own firing probability: μ = ½, σ = 1/6, k = 3 give
 * `p = clip(x, 0, 1)` (up to float32 rounding), so the table is learned directly as probabilities.
 */
export const LEARNED_TABLE_ENCODER = { mean: 0.5, std: 1 / 6, clipSigmas: 3, clipLowSigmas: 3 } as const;

/** How to build the English vocabulary and encoder. */
export interface GloveVocabularyOptions {
  clipSigmas: number;
  clipLowSigmas?: number;
  binarySigmas?: number;
  /**
   * Keep only GloVe's `limit` most frequent words plus every word of `keep` (the dataset's own
   * words), for a smaller model file; 0 or undefined keeps the whole file. The statistics and the
   * 8-bit scale are those of the whole file either way, so a kept word has the same probabilities.
   */
  limit?: number;
  keep?: Iterable<string>;
}

/**
 * A loaded model's 8-bit table without its presence component: the stored bytes recovered exactly
 * from the dequantised values, and those values, `[rows][dim]`.
 */
function tableOf<A extends Int8Array | Uint8Array>(model: LoadedModel, quantScale: number, quantZero: number, make: (length: number) => A): { dim: number; data: A; embeddings: Float32Array } {
  const width = model.config.network.encoder.embeddingDim;
  const dim = model.config.embedding.source.endsWith('+ presence component') ? width - 1 : width;
  const rows = model.vocabulary.size;
  const data = make(rows * dim);
  const embeddings = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) {
      const x = model.embeddings[r * width + d];
      data[r * dim + d] = Math.round(x / quantScale + quantZero);
      embeddings[r * dim + d] = x;
    }
  }
  return { dim, data, embeddings };
}

/**
 * English from a shipped model instead of the GloVe file: the words and 8-bit table of a model that
 * ships the whole GloVe subset (the default model does), without its presence component. The 8-bit
 * values are recovered exactly from the dequantised ones, so the vocabulary, statistics and firing
 * probabilities equal `gloveVocabulary`'s: a page trains on the same input as `spikescope train`.
 */
export function vocabularyFromModel(model: LoadedModel, options: Pick<GloveVocabularyOptions, 'clipSigmas' | 'clipLowSigmas'>): PreparedVocabulary {
  const { config } = model;
  const { quantScale, quantZero } = config.embedding;
  if (config.tokenizer !== 'english' || config.embedding.source === 'learned' || quantScale === undefined || quantZero === undefined) {
    throw new Error(`${config.name} has no frozen 8-bit GloVe table to train with (its table is ${config.embedding.source})`);
  }
  const { dim, data, embeddings } = tableOf(model, quantScale, quantZero, (n) => new Int8Array(n));
  const { mean, std } = embeddingStatistics(embeddings);
  const clipSigmas = options.clipSigmas;
  const clipLowSigmas = options.clipLowSigmas ?? clipSigmas;
  return {
    tokenizer: 'english',
    vocabulary: model.vocabulary,
    dim,
    stored: { dtype: 'I8', data, quantScale, quantZero },
    embeddings,
    mean,
    std,
    clipSigmas,
    clipLowSigmas,
    statsSource: config.embedding.statsSource,
    source: config.embedding.source.replace(/ \+ presence component$/, ''),
    probabilities: firingProbabilities(embeddings, dim, mean, std, clipSigmas, clipLowSigmas),
    learned: false,
  };
}

/**
 * The learned table of a trained model (e.g. a character table learned with a TextCNN), frozen: its
 * words, its 8-bit values without the presence component, and the table's own μ and σ, so that
 * `binarySigmas` makes it binary at μ + kB·σ of that table (a sparse code learned for the task). The
 * 8-bit values are kept as they are, so the new model stores exactly the table it was trained on.
 */
export function vocabularyFromLearnedModel(model: LoadedModel, binarySigmas?: number): PreparedVocabulary {
  const { config } = model;
  const { quantScale, quantZero } = config.embedding;
  if (!config.embedding.source.startsWith('learned') || quantScale === undefined || quantZero === undefined) {
    throw new Error(`${config.name} has no learned 8-bit table to take (its table is ${config.embedding.source})`);
  }
  const { dim, data, embeddings } = tableOf(model, quantScale, quantZero, (n) => new Uint8Array(n));
  const { mean, std } = embeddingStatistics(embeddings);
  const clipSigmas = 3;
  const probabilities = firingProbabilities(embeddings, dim, mean, std, clipSigmas, clipSigmas, binarySigmas);
  if (binarySigmas !== undefined && !probabilities.some((p) => p > 0)) {
    throw new Error(`no component of ${config.name}'s table is at or above μ + ${binarySigmas}σ: lower --binary-input`);
  }
  return {
    tokenizer: config.tokenizer,
    language: config.language,
    vocabulary: model.vocabulary,
    dim,
    stored: { dtype: 'U8', data, quantScale, quantZero },
    embeddings,
    mean,
    std,
    clipSigmas,
    clipLowSigmas: clipSigmas,
    ...(binarySigmas !== undefined ? { binarySigmas } : {}),
    statsSource: `the table's own μ and σ`,
    source: `the learned ${dim}-d table of ${config.name} (frozen)`,
    probabilities,
    learned: false,
  };
}

/** Chinese: the characters seen at least `minCount` times in training, a table in [0, 1] to learn. */
export function characterVocabulary(train: readonly Example[], dim: number, minCount: number, seed: number): PreparedVocabulary {
  const counts = new Map<string, number>();
  for (const example of train) for (const token of tokenize(example.text, 'chinese')) counts.set(token, (counts.get(token) ?? 0) + 1);
  const words = [...counts.entries()].filter(([, count]) => count >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([word]) => word);
  const table = randomUniformTensor(seed, 'characters', words.length * dim, 0, 1);
  return {
    tokenizer: 'chinese',
    vocabulary: new Vocabulary(words),
    dim,
    stored: null,
    embeddings: table,
    ...LEARNED_TABLE_ENCODER,
    statsSource: 'fixed μ = 0.5, σ = 1/6 (k = 3 maps the learned table [0, 1] onto itself)',
    source: 'learned',
    probabilities: table,
    learned: true,
  };
}

/** Tokenises and looks up every example. */
export function encodeExamples(examples: readonly Example[], prepared: PreparedVocabulary): EncodedExample[] {
  return examples.map((example) => ({ ids: prepared.vocabulary.encode(tokenize(example.text, prepared.tokenizer)).ids, label: example.label }));
}

/** Fraction of tokens found in the vocabulary. */
export function coverage(examples: readonly EncodedExample[]): number {
  let known = 0;
  let total = 0;
  for (const example of examples) {
    total += example.ids.length;
    for (const id of example.ids) if (id >= 0) known++;
  }
  return total > 0 ? known / total : 0;
}

/** The test (and dev) examples of a dataset: a convenience for callers. */
export function splitsOf(dataset: Dataset): { train: Example[]; dev: Example[]; test: Example[] } {
  return { train: dataset.train, dev: dataset.dev ?? [], test: dataset.test };
}
