import { describe, expect, it } from 'vitest';
import { languageMismatch, scriptCounts } from './language-check';

describe('language check', () => {
  it('counts letters by script', () => {
    expect(scriptCounts('good 好吃!')).toEqual({ cjk: 2, latin: 4, other: 0 });
  });

  it('flags Chinese text for an English model and English text for a Chinese model', () => {
    expect(languageMismatch('这家店的外卖很好吃，送得也快', 'en')).toMatch(/model reads English/);
    expect(languageMismatch('the food arrived cold and late', 'zh')).toMatch(/model reads Chinese/);
    expect(languageMismatch('Это очень хороший фильм', 'en')).toMatch(/script the model does not read/);
  });

  it('lets matching, mixed and letter-free text through', () => {
    expect(languageMismatch('a warm, funny and touching film', 'en')).toBeNull();
    expect(languageMismatch('送得很快，味道不错', 'zh')).toBeNull();
    expect(languageMismatch('iPhone 很好用，速度快，屏幕也清楚', 'zh')).toBeNull();
    expect(languageMismatch('10/10 !!!', 'en')).toBeNull();
  });

  it('looks only at the beginning of a huge paste', () => {
    const started = performance.now();
    expect(languageMismatch('word '.repeat(100_000), 'en')).toBeNull();
    expect(performance.now() - started).toBeLessThan(200);
  });
});
