import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenizer';

const english = (text: string): string[] => tokenize(text, 'english');
const chinese = (text: string): string[] => tokenize(text, 'chinese');

describe('English tokeniser: SST sentences come back unchanged', () => {
  // Real lines of SST-2 / SST-5 (already PTB-tokenised and lower-cased).
  const lines = [
    "it 's a charming and often affecting journey .",
    "acting , particularly by tambor , almost makes `` never again '' worthwhile , but -lrb- writer\\/director -rrb- schaeffer should follow his titular advice",
    'if this holiday movie is supposed to be a gift , somebody unwrapped it early , took out all the good stuff , and left behind the crap -lrb- literally -rrb- .',
    "` how many more voyages can this limping but dearly-loved franchise survive ? '",
    "you wo n't believe much of it , but you will laugh at the audacity , at the who 's who casting and the sheer insanity of it all .",
    'mr. deeds is , as comedy goes , very silly -- and in the best way .',
    'the casting of raymond j. barry as the ` assassin \' greatly enhances the quality of neil burger \'s impressive fake documentary .',
    'watching e.t. now ... is a 2,500 % improvement over 1.8 -- maybe .',
    "they 're here , we 've seen it , i 'd go , you 'll see , i 'm sure .",
  ];
  for (const line of lines) {
    it(`keeps "${line.slice(0, 40)}..."`, () => {
      expect(english(line)).toEqual(line.split(' '));
    });
  }
});

describe('English tokeniser: raw text is split the PTB way', () => {
  it('splits clitics and punctuation', () => {
    expect(english("Don't you love it?")).toEqual(['do', "n't", 'you', 'love', 'it', '?']);
    expect(english("It's great, isn't it!")).toEqual(['it', "'s", 'great', ',', 'is', "n't", 'it', '!']);
    expect(english("I can't, won't. They'll, we'd, I'm, you've, they're")).toEqual(
      ['i', 'ca', "n't", ',', 'wo', "n't", '.', 'they', "'ll", ',', 'we', "'d", ',', 'i', "'m", ',', 'you', "'ve", ',', 'they', "'re"],
    );
  });

  it('tokenises a raw MR line (untokenised clitics) like SST', () => {
    expect(english("it's so laddish and juvenile , only teenage boys could possibly find it funny . ")).toEqual(
      "it 's so laddish and juvenile , only teenage boys could possibly find it funny .".split(' '),
    );
    expect(english("the audience's meat grinder, he's unlikely")).toEqual(['the', 'audience', "'s", 'meat', 'grinder', ',', 'he', "'s", 'unlikely']);
  });

  it('writes brackets and quotes as SST does', () => {
    expect(english('A (very) "good" [film] {x}')).toEqual(['a', '-lrb-', 'very', '-rrb-', '``', 'good', "''", '-lsb-', 'film', '-rsb-', '-lcb-', 'x', '-rcb-']);
    expect(english('\u201cCurly\u201d quotes \u2018and\u2019 it\u2019s\u2026')).toEqual(['``', 'curly', "''", 'quotes', '`', 'and', "'", 'it', "'s", '...']);
    expect(english("the students' film")).toEqual(['the', 'students', "'", 'film']);
  });

  it('keeps hyphenated words, numbers, abbreviations and the 70s together', () => {
    expect(english("A re-imagining of the U.S. in the '70s, $5.50 or 1,000")).toEqual(['a', 're-imagining', 'of', 'the', 'u.s.', 'in', 'the', "'70s", ',', '$', '5.50', 'or', '1,000']);
    expect(english('Ms. Smith vs. Mr. Jones. End.')).toEqual(['ms.', 'smith', 'vs.', 'mr.', 'jones', '.', 'end', '.']);
  });

  it('handles empty text, whitespace, control characters and lone surrogates', () => {
    expect(english('')).toEqual([]);
    expect(english(' \t\n\r ')).toEqual([]);
    expect(english('a\u0000b\u0007c\u200b')).toEqual(['a', 'b', 'c']);
    expect(english('bad\ud800text \udfff!')).toEqual(['bad', 'text', '!']);
  });

  it('gives emoji and symbols their own tokens, keeping other scripts', () => {
    expect(english('great movie\u{1F600}\u{1F44D}\u{1F3FD}!')).toEqual(['great', 'movie', '\u{1F600}', '\u{1F44D}', '\u{1F3FD}', '!']);
    expect(english('Café Noël и Москва')).toEqual(['café', 'noël', 'и', 'москва']);
    expect(english('e\u0301te\u0301')).toEqual(['e\u0301te\u0301']);
  });
});

describe('Chinese tokeniser', () => {
  it('gives one token per character and each punctuation mark', () => {
    expect(chinese('交通方便；环境很好；服务态度很好 房间较小')).toEqual([...'交通方便；环境很好；服务态度很好房间较小']);
    expect(chinese('非常快，态度好。')).toEqual(['非', '常', '快', '，', '态', '度', '好', '。']);
  });

  it('keeps runs of Latin letters and digits whole, lower-cased', () => {
    expect(chinese('酒店有A B楼之分，本人check－in后，用了3000元')).toEqual(
      ['酒', '店', '有', 'a', 'b', '楼', '之', '分', '，', '本', '人', 'check', '－', 'in', '后', '，', '用', '了', '3000', '元'],
    );
    expect(chinese('iPhone12很好😀')).toEqual(['iphone12', '很', '好', '😀']);
  });

  it('handles empty text and odd characters', () => {
    expect(chinese('')).toEqual([]);
    expect(chinese('\u0000\ud800 \n')).toEqual([]);
  });
});

describe('tokeniser cost', () => {
  it('handles a million characters in linear time without truncating', () => {
    const unit = "it's a fine film, isn't it? 好看😀 ";
    const small = unit.repeat(1000);
    const large = unit.repeat(31_000); // ~1 M characters
    expect(large.length).toBeGreaterThan(1_000_000);
    const time = (run: () => void): number => {
      const start = performance.now();
      run();
      return performance.now() - start;
    };
    let smallCount = 0;
    let largeCount = 0;
    const smallTime = Math.max(1, time(() => (smallCount = english(small).length)));
    const largeTime = time(() => (largeCount = english(large).length));
    expect(largeCount).toBe(smallCount * 31);
    expect(chinese(large).length).toBeGreaterThan(0);
    // 30× the text: linear is ~30× the time; quadratic would be ~900×.
    expect(largeTime / smallTime).toBeLessThan(150);
    expect(largeTime).toBeLessThan(10_000);
  });

  it('stays linear on pathological runs (one huge word, punctuation runs, almost-abbreviations)', () => {
    const cases = ['x'.repeat(1_000_000), '-'.repeat(1_000_000), "'".repeat(1_000_000), `${'a.'.repeat(500_000)}b`, "a'".repeat(500_000), '\\/'.repeat(300_000)];
    for (const text of cases) {
      const start = performance.now();
      const tokens = english(text);
      expect(tokens.length).toBeGreaterThan(0);
      expect(performance.now() - start).toBeLessThan(5_000);
    }
    expect(english('x'.repeat(1_000_000))[0]).toHaveLength(1_000_000);
  });
});
