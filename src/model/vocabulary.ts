/**
 * Token → row lookup for a model's vocabulary (the rows of its embedding and probability tables).
 *
 * Tokens come from `tokenize` in PTB style, but the GloVe table shipped with the data has no
 * clitics (`n't`, `'s`, …), no `-lrb-` and no multi-character punctuation (shared/data/README.md).
 * So a token that is not in the vocabulary as is goes through fallbacks, in order, and the first
 * hit wins:
 *  1. contractions read as words before `n't`: `wo` → `will`, `ca` → `can`, `sha` → `shall`;
 *  2. the token itself;
 *  3. its spelled-out word: `n't` → `not`, `'re` → `are`, `'s` → `is`, `'ve` → `have`, `'ll` → `will`,
 *     `'d` → `would`, `'m` → `am`, `'em` → `them`; PTB symbols to plain ones (`-lrb-` → `(`,
 *     `` `` `` and `''` → `"`, `...` → `.`, `--` → `-`) and back (`(` → `-lrb-`); words the GloVe
 *     redistribution dropped, to their nearest form: `a` → `an`, `i` → `me`, `0`…`10` → `zero`…`ten`;
 *  4. lower-cased; SST escapes removed (`\/` → `/`); accents removed (`café` → `cafe`);
 *  5. leading and trailing punctuation stripped (`mr.` → `mr`, `'70s` → `70s`).
 * A token with no hit is unknown: id −1, which the engine treats as silent (p = 0, like padding).
 * Training and inference use the same lookup, so the fallbacks shape what the model learns.
 */

/** What each clitic or PTB symbol stands for, tried after the token itself. */
const ALIASES: Record<string, readonly string[]> = {
  "n't": ['not'],
  "'re": ['are'],
  "'s": ['is'],
  "'ve": ['have'],
  "'ll": ['will'],
  "'d": ['would'],
  "'m": ['am'],
  "'em": ['them'],
  '-lrb-': ['('],
  '-rrb-': [')'],
  '-lsb-': ['['],
  '-rsb-': [']'],
  '-lcb-': ['{'],
  '-rcb-': ['}'],
  '(': ['-lrb-'],
  ')': ['-rrb-'],
  '[': ['-lsb-'],
  ']': ['-rsb-'],
  '{': ['-lcb-'],
  '}': ['-rcb-'],
  '``': ['"'],
  "''": ['"'],
  '"': ['``', "''"],
  '`': ["'"],
  '...': ['.', '…'],
  '--': ['-', '—'],
  a: ['an'],
  i: ['me'],
  ...Object.fromEntries(['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'].map((word, value) => [String(value), [word]])),
};

/** Words that the PTB split leaves in front of `n't` (`won't` → `wo n't`). */
const BEFORE_NOT: Record<string, string> = { wo: 'will', ca: 'can', sha: 'shall' };

const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
const COMBINING_MARKS = /\p{M}+/gu;

/** Result of encoding a token sequence: one row per token (−1 = unknown) and the unknown tokens. */
export interface EncodedTokens {
  ids: Int32Array;
  /** Every token that found no row, in order, repeats included: coverage = 1 − unknown / tokens. */
  unknown: string[];
}

/** A model's vocabulary: `words[id]` is the word of embedding row `id`. */
export class Vocabulary {
  /** The words, index = token id = embedding row. */
  readonly words: readonly string[];
  private readonly ids = new Map<string, number>();

  /** Builds the lookup; if a word repeats, its first row is the one used. */
  constructor(words: readonly string[]) {
    this.words = words;
    words.forEach((word, id) => {
      if (!this.ids.has(word)) this.ids.set(word, id);
    });
  }

  /** Number of rows. */
  get size(): number {
    return this.words.length;
  }

  /** The row of exactly this word, or −1 (no fallbacks). */
  exactId(word: string): number {
    return this.ids.get(word) ?? -1;
  }

  /** The row of a token, trying the fallbacks of the module comment; `next` is the token after it. */
  lookup(token: string, next?: string): number {
    for (const candidate of candidates(token, next)) {
      const id = this.ids.get(candidate);
      if (id !== undefined) return id;
    }
    return -1;
  }

  /** Rows of a token sequence, with the tokens that were not found. */
  encode(tokens: readonly string[]): EncodedTokens {
    const ids = new Int32Array(tokens.length);
    const unknown: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      ids[i] = this.lookup(tokens[i], tokens[i + 1]);
      if (ids[i] < 0) unknown.push(tokens[i]);
    }
    return { ids, unknown };
  }
}

/** The spellings tried for a token, in order (duplicates are harmless). */
function* candidates(token: string, next: string | undefined): Generator<string> {
  if (next === "n't" && Object.hasOwn(BEFORE_NOT, token)) yield BEFORE_NOT[token];
  yield token;
  if (Object.hasOwn(ALIASES, token)) yield* ALIASES[token];
  const lower = token.toLowerCase();
  if (lower !== token) {
    yield lower;
    if (Object.hasOwn(ALIASES, lower)) yield* ALIASES[lower];
  }
  const unescaped = lower.replace(/\\([/*])/g, '$1');
  if (unescaped !== lower) yield unescaped;
  const plain = unescaped.normalize('NFD').replace(COMBINING_MARKS, '').normalize('NFC');
  if (plain !== unescaped) yield plain;
  const stripped = plain.replace(EDGE_PUNCTUATION, '');
  if (stripped !== plain && stripped.length > 0) yield stripped;
}
