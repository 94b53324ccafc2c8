/**
 * Tokenisers that reproduce how the training data was tokenised (see shared/data/README.md), so
 * typed text reaches the same vocabulary rows as the training sentences.
 *
 * English (SST, MR, Subj): lower-case, Penn-Treebank style: punctuation split off, clitics split
 * (`don't` → `do n't`, `it's` → `it 's`), brackets written `-lrb-` `-rrb-`, double quotes as
 * `` `` `` / `''`. Text that is already tokenised this way comes back unchanged.
 * Chinese (ChnSentiCorp, Waimai): one token per CJK character, runs of other letters and digits
 * as one token, each punctuation mark a token, whitespace dropped.
 *
 * Any string is accepted: empty text gives [], control characters, format characters and lone
 * surrogates are dropped, emoji and other symbols become tokens of their own. One pass over the
 * text, linear time; nothing is truncated.
 */

/** Which tokeniser a model uses (recorded in its `model.json`). */
export type TokenizerKind = 'english' | 'chinese';

/** Splits text into tokens with the tokeniser of the given kind. Never throws on any string. */
export function tokenize(text: string, kind: TokenizerKind): string[] {
  return kind === 'chinese' ? tokenizeChinese(text) : tokenizeEnglish(text);
}

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const MARK = /^\p{M}$/u;
const SKIPPED = /^[\s\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]$/u;
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;

/** What a code point is to the tokenisers: dropped, part of a word, a combining mark, or a symbol. */
const CharClass = { Skip: 0, Word: 1, Mark: 2, Other: 3 } as const;
type CharClass = (typeof CharClass)[keyof typeof CharClass];

function classify(code: number, char: string): CharClass {
  if (code < 0x80) {
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f) return CharClass.Word;
    return code <= 0x20 || code === 0x7f ? CharClass.Skip : CharClass.Other;
  }
  if (LETTER_OR_NUMBER.test(char)) return CharClass.Word;
  if (MARK.test(char)) return CharClass.Mark;
  return SKIPPED.test(char) ? CharClass.Skip : CharClass.Other;
}

/** Code points of a string with their classes, computed once (lone surrogates come out as Skip). */
function scan(text: string): { chars: string[]; classes: CharClass[] } {
  const chars: string[] = [];
  const classes: CharClass[] = [];
  for (const char of text) {
    chars.push(char);
    classes.push(classify(char.codePointAt(0) ?? 0, char));
  }
  return { chars, classes };
}

const BRACKETS: Record<string, string> = { '(': '-lrb-', ')': '-rrb-', '[': '-lsb-', ']': '-rsb-', '{': '-lcb-', '}': '-rcb-' };
const BRACKET_TOKENS = new Set(Object.values(BRACKETS));
/** Clitics that may follow an apostrophe at the start of a token and stay attached to it. */
const APOSTROPHE_WORDS = new Set(['s', 're', 've', 'll', 'd', 'm', 'em', 'til', 'tis', 'twas', 'n', 'cause']);
const SUFFIX_CLITICS = ["'s", "'re", "'ve", "'ll", "'d", "'m"];
/** Characters kept inside a word when letters or digits stand on both sides (`re-make`, `and\/or`, `o'neil`). */
const JOINERS = new Set(['-', '/', "'", '&']);
/** Punctuation whose runs form one token (`...`, `--`, `?!`, `''`, ``` `` ```, `***`). */
const RUN_GROUPS: Record<string, string> = { '.': '.', '-': '-', '?': '?!', '!': '?!', '`': '`', "'": "'", '*': '*', '=': '=' };

function normaliseEnglish(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u201b]/g, '`')
    .replace(/[\u2019\u02bc]/g, "'")
    .replace(/\u201c/g, '``')
    .replace(/\u201d/g, "''")
    .replace(/\u2026/g, '...')
    .replace(/[\u2013\u2014]/g, '--');
}

/** English tokens, PTB style, matching SST's tokenisation (see the module comment). */
export function tokenizeEnglish(text: string): string[] {
  const { chars, classes } = scan(normaliseEnglish(text));
  const tokens: string[] = [];
  const count = chars.length;
  const isWord = (i: number): boolean => i >= 0 && i < count && (classes[i] === CharClass.Word || (chars[i] === '\\' && isEscapable(i + 1)));
  const isEscapable = (i: number): boolean => i < count && (chars[i] === '/' || chars[i] === '*');
  const atBoundary = (i: number): boolean => i === 0 || classes[i - 1] === CharClass.Skip || !isWord(i - 1);
  let i = 0;
  while (i < count) {
    const char = chars[i];
    const charClass = classes[i];
    if (charClass === CharClass.Skip || charClass === CharClass.Mark) {
      i++;
      continue;
    }
    if (char === '-' && i + 4 < count && chars[i + 4] === '-' && !isWord(i + 5)) {
      const candidate = chars.slice(i, i + 5).join('');
      if (BRACKET_TOKENS.has(candidate)) {
        tokens.push(candidate);
        i += 5;
        continue;
      }
    }
    const escapedStart = char === '\\' && isEscapable(i + 1);
    const apostropheStart = char === "'" && atBoundary(i) && isWord(i + 1);
    if (charClass === CharClass.Word || escapedStart || apostropheStart) {
      const end = wordEnd(chars, classes, i, isWord, isEscapable);
      pushWord(tokens, chars.slice(i, end).join(''));
      i = end;
      continue;
    }
    if (char in BRACKETS) {
      tokens.push(BRACKETS[char]);
      i++;
      continue;
    }
    if (char === '"') {
      const previous = tokens.length > 0 ? tokens[tokens.length - 1] : '';
      const opening = atBoundary(i) && (i === 0 || classes[i - 1] === CharClass.Skip || previous === '-lrb-' || previous === '``');
      tokens.push(opening ? '``' : "''");
      i++;
      continue;
    }
    const group = RUN_GROUPS[char];
    if (group !== undefined) {
      let end = i + 1;
      while (end < count && group.includes(chars[end])) end++;
      tokens.push(chars.slice(i, end).join(''));
      i = end;
      continue;
    }
    tokens.push(char);
    i++;
  }
  return tokens;
}

/** End (exclusive) of the word starting at `start`: letters, digits, marks, escapes and inner joiners. */
function wordEnd(
  chars: string[],
  classes: CharClass[],
  start: number,
  isWord: (i: number) => boolean,
  isEscapable: (i: number) => boolean,
): number {
  const count = chars.length;
  const abbreviation = abbreviationEnd(chars, classes, start);
  if (abbreviation > start) return abbreviation;
  let end = start + 1;
  if (chars[start] === '\\') end = start + 2;
  while (end < count) {
    const char = chars[end];
    if (classes[end] === CharClass.Word || classes[end] === CharClass.Mark) end++;
    else if (char === '\\' && isEscapable(end + 1)) end += 2;
    else if (JOINERS.has(char) && isWord(end + 1)) end++;
    else if ((char === '.' || char === ',') && isDigit(chars[end - 1]) && isDigit(chars[end + 1] ?? '')) end++;
    else break;
  }
  return end;
}

/** Abbreviations that keep their period in PTB tokenisation (`mr.`, `vs.`, `et al.`). */
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'jr', 'sr', 'st', 'vs', 'al', 'etc', 'inc', 'ltd', 'co', 'corp', 'prof', 'mt', 'ft', 'lt', 'gen', 'col', 'sgt', 'rev', 'messrs', 'bros', 'jan', 'feb', 'aug', 'sept', 'oct', 'nov', 'dec']);

/** Longest letter-period abbreviation looked for; the bound keeps the tokeniser linear on `a.a.a.a…`. */
const MAX_ABBREVIATION_LETTERS = 8;

/**
 * End of an abbreviation starting at `start`, or `start` if there is none: letters each followed
 * by a period (`u.s.`, `e.g.`, an initial `j.`), or a known abbreviation with its period (`mr.`).
 */
function abbreviationEnd(chars: string[], classes: CharClass[], start: number): number {
  let end = start;
  while (end + 1 < chars.length && end - start < 2 * MAX_ABBREVIATION_LETTERS && classes[end] === CharClass.Word && !isDigit(chars[end]) && chars[end + 1] === '.') end += 2;
  if (end === start) {
    while (end < chars.length && end - start <= 6 && /^[a-z]$/.test(chars[end])) end++;
    if (end === start || chars[end] !== '.' || !ABBREVIATIONS.has(chars.slice(start, end).join(''))) return start;
    end++;
  }
  if (end < chars.length && (classes[end] === CharClass.Word || chars[end] === '.')) return start;
  return end;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

/** Splits clitics off a word: `don't` → `do n't`, `it's` → `it 's`, `students'` is split earlier. */
function pushWord(tokens: string[], word: string): void {
  if (word.startsWith("'") && word.length > 1) {
    const rest = word.slice(1);
    if (!APOSTROPHE_WORDS.has(rest) && !isDigit(rest[0]) && rest !== "n't") {
      tokens.push('`');
      pushWord(tokens, rest);
      return;
    }
    tokens.push(word);
    return;
  }
  if (word.length > 3 && word.endsWith("n't")) {
    tokens.push(word.slice(0, -3), "n't");
    return;
  }
  for (const clitic of SUFFIX_CLITICS) {
    if (word.length > clitic.length && word.endsWith(clitic)) {
      tokens.push(word.slice(0, -clitic.length), clitic);
      return;
    }
  }
  tokens.push(word);
}

/** Chinese tokens: each CJK character alone, other letter/digit runs together (lower-cased), punctuation alone. */
export function tokenizeChinese(text: string): string[] {
  const { chars, classes } = scan(text);
  const tokens: string[] = [];
  let i = 0;
  while (i < chars.length) {
    const charClass = classes[i];
    if (charClass === CharClass.Skip || charClass === CharClass.Mark) {
      i++;
      continue;
    }
    if (charClass === CharClass.Word && !CJK.test(chars[i])) {
      let end = i + 1;
      while (end < chars.length && (classes[end] === CharClass.Mark || (classes[end] === CharClass.Word && !CJK.test(chars[end])))) end++;
      tokens.push(chars.slice(i, end).join('').toLowerCase());
      i = end;
      continue;
    }
    tokens.push(chars[i]);
    i++;
  }
  return tokens;
}
