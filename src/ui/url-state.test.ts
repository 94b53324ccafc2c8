import { describe, expect, it } from 'vitest';
import { MAX_URL_TEXT, parseUrlState, serializeUrlState } from './url-state';

describe('url state', () => {
  it('reads every shared field', () => {
    const state = parseUrlState('?text=a%20fine%20film&model=models/sst2&steps=32&encoding=direct&seed=7&backend=cpu');
    expect(state).toEqual({ text: 'a fine film', model: 'models/sst2', numSteps: 32, encoding: 'direct', seed: 7, backend: 'cpu' });
  });

  it('ignores values that do not parse instead of failing', () => {
    const state = parseUrlState('steps=0&encoding=spiky&seed=-3&backend=tpu&model=%20');
    expect(state).toEqual({ text: '', model: null, numSteps: null, encoding: null, seed: null, backend: 'auto' });
    expect(parseUrlState('steps=1001').numSteps).toBeNull();
    expect(parseUrlState('steps=2.5').numSteps).toBeNull();
    expect(parseUrlState('seed=4294967296').seed).toBeNull();
    expect(parseUrlState('seed=4294967295').seed).toBe(4294967295);
  });

  it('round-trips a state, including text with reserved characters and Chinese', () => {
    const shared = { text: '好吃 & cheap? 100% #1', model: 'models/waimai', numSteps: 8, encoding: 'rate' as const, seed: 3, backend: 'auto' as const };
    const { query, textTruncated } = serializeUrlState(shared);
    expect(textTruncated).toBe(false);
    expect(query.startsWith('?')).toBe(true);
    expect(query).not.toContain('backend');
    expect(parseUrlState(query)).toEqual(shared);
  });

  it('cuts a very long text and says so', () => {
    const { query, textTruncated } = serializeUrlState({ text: 'x'.repeat(MAX_URL_TEXT + 5), model: null, numSteps: 16, encoding: 'rate', seed: 1, backend: 'cpu' });
    expect(textTruncated).toBe(true);
    const state = parseUrlState(query);
    expect(state.text.length).toBe(MAX_URL_TEXT);
    expect(state.backend).toBe('cpu');
  });
});
