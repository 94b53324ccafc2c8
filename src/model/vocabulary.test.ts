import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenizer';
import { Vocabulary } from './vocabulary';

// Like the GloVe file of shared/data: no clitics, no `-lrb-`, no `a`, no `...`.
const glove = new Vocabulary(['the', ',', '.', 'not', 'is', 'are', 'have', 'will', 'would', 'am', 'can', 'do', 'you', 'love', 'it', '?', '(', ')', '"', '-', 'them', 'ca', 'wo', 'cafe', 'mr', '70s', '/', 'film']);

describe('Vocabulary lookup', () => {
  it('maps clitics to the words they stand for', () => {
    const ids = glove.encode(["n't", "'re", "'s", "'ve", "'ll", "'d", "'m", "'em"]).ids;
    expect(Array.from(ids, (id) => glove.words[id])).toEqual(['not', 'are', 'is', 'have', 'will', 'would', 'am', 'them']);
  });

  it('reads ca / wo before n\'t as can / will', () => {
    const { ids } = glove.encode(['i', 'ca', "n't", 'and', 'wo', "n't", 'ca']);
    expect(Array.from(ids, (id) => (id < 0 ? null : glove.words[id]))).toEqual([null, 'can', 'not', null, 'will', 'not', 'ca']);
  });

  it('maps PTB symbols to plain ones and back', () => {
    const words = (tokens: string[]): (string | null)[] => Array.from(glove.encode(tokens).ids, (id) => (id < 0 ? null : glove.words[id]));
    expect(words(['-lrb-', '-rrb-', '``', "''", '...', '--'])).toEqual(['(', ')', '"', '"', '.', '-']);
    const ptb = new Vocabulary(['-lrb-', '-rrb-']);
    expect(Array.from(ptb.encode(['(', ')']).ids)).toEqual([0, 1]);
  });

  it('prefers the token itself when the vocabulary has it', () => {
    const learned = new Vocabulary(["'s", 'is', "n't", 'not']);
    expect(Array.from(learned.encode(["'s", "n't"]).ids)).toEqual([0, 2]);
  });

  it('falls back to lower case, unescaped, accent-free and punctuation-stripped forms', () => {
    const words = (tokens: string[]): (string | null)[] => Array.from(glove.encode(tokens).ids, (id) => (id < 0 ? null : glove.words[id]));
    expect(words(['The', 'FILM', '\\/', 'café', 'Mr.', "'70s"])).toEqual(['the', 'film', '/', 'cafe', 'mr', '70s']);
  });

  it('gives -1 for unknown tokens and lists them, repeats included', () => {
    const result = glove.encode(['b', 'the', 'zyzzyva', 'b', '\u{1F600}', '', '2002']);
    expect(Array.from(result.ids)).toEqual([-1, 0, -1, -1, -1, -1, -1]);
    expect(result.unknown).toEqual(['b', 'zyzzyva', 'b', '\u{1F600}', '', '2002']);
  });

  it('maps words the GloVe redistribution dropped to their nearest form', () => {
    const table = new Vocabulary(['an', 'me', 'two', 'ten', 'a']);
    expect(Array.from(table.encode(['a', 'i', '2', '10']).ids)).toEqual([4, 1, 2, 3]);
    expect(new Vocabulary(['an']).lookup('a')).toBe(0);
  });

  it('covers a tokenised raw sentence', () => {
    const { ids, unknown } = glove.encode(tokenize("Don't you love it?", 'english'));
    expect(Array.from(ids, (id) => glove.words[id])).toEqual(['do', 'not', 'you', 'love', 'it', '?']);
    expect(unknown).toEqual([]);
  });

  it('keeps the first row of a repeated word and reports its size', () => {
    const repeated = new Vocabulary(['x', 'y', 'x']);
    expect(repeated.exactId('x')).toBe(0);
    expect(repeated.size).toBe(3);
    expect(repeated.exactId('z')).toBe(-1);
  });

  it('does not treat Object prototype names as words', () => {
    expect(glove.lookup('constructor')).toBe(-1);
    expect(glove.lookup('__proto__')).toBe(-1);
    expect(glove.lookup('toString', "n't")).toBe(-1);
  });
});
