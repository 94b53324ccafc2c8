import { describe, expect, it } from 'vitest';
import { defaultModelEntry, ModelIndexError, parseModelIndex, samePath } from './model-index';

const en = { id: 'sst2', path: 'models/sst2', name: 'SST-2', language: 'en' };
const zh = { id: 'waimai', path: 'models/waimai', name: 'Waimai', language: 'zh', default: true };

describe('model index', () => {
  it('parses entries and keeps the default flag only when true', () => {
    const entries = parseModelIndex({ models: [{ ...en, default: false }, zh] });
    expect(entries).toEqual([en, zh]);
  });

  it('chooses the entry marked default, else the first, else none', () => {
    expect(defaultModelEntry(parseModelIndex({ models: [en, zh] }))?.id).toBe('waimai');
    expect(defaultModelEntry(parseModelIndex({ models: [en] }))?.id).toBe('sst2');
    expect(defaultModelEntry(parseModelIndex({ models: [] }))).toBeNull();
  });

  it('names the entry and field that is wrong', () => {
    expect(() => parseModelIndex([])).toThrow(ModelIndexError);
    expect(() => parseModelIndex({ models: [{ ...en, language: 'fr' }] })).toThrow(/models\[0\]\.language/);
    expect(() => parseModelIndex({ models: [en, { ...zh, path: '' }] })).toThrow(/models\[1\]\.path/);
  });

  it('compares model paths loosely', () => {
    expect(samePath('models/x', './models/x/')).toBe(true);
    expect(samePath('models/x', 'models/y')).toBe(false);
  });
});
