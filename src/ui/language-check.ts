/**
 * Does a text look like the model's language? English models read Latin script, Chinese models
 * CJK characters; a text mostly in the other script would reach the network as unknown, silent
 * tokens and give a meaningless answer, so the app says so instead. Pure, and bounded: only the
 * first `SAMPLE_CHARACTERS` characters are looked at, so a 100,000-character paste costs nothing.
 */

const SAMPLE_CHARACTERS = 4000;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const LATIN = /\p{Script=Latin}/u;

/** Letters of each script among the first characters of `text`. */
export function scriptCounts(text: string): { cjk: number; latin: number; other: number } {
  const counts = { cjk: 0, latin: 0, other: 0 };
  let seen = 0;
  for (const char of text) {
    if (seen++ >= SAMPLE_CHARACTERS) break;
    if (CJK.test(char)) counts.cjk++;
    else if (LATIN.test(char)) counts.latin++;
    else if (/\p{L}/u.test(char)) counts.other++;
  }
  return counts;
}

/**
 * A message when the text is clearly in another script than the model's language
 * (more than 60 % of its letters), else null. Mixed text and text without letters pass.
 */
export function languageMismatch(text: string, language: string): string | null {
  const { cjk, latin, other } = scriptCounts(text);
  const letters = cjk + latin + other;
  if (letters < 3) return null;
  if (language === 'en' && cjk / letters > 0.6) {
    return 'This text looks Chinese (or another CJK language), but the model reads English. Choose a Chinese model, or type English text.';
  }
  if (language === 'zh' && latin / letters > 0.6) {
    return 'This text looks English (Latin letters), but the model reads Chinese. Choose an English model, or type Chinese text.';
  }
  if ((language === 'en' || language === 'zh') && other / letters > 0.6) {
    return `This text is in a script the model does not read; the model reads ${language === 'en' ? 'English' : 'Chinese'}.`;
  }
  return null;
}
