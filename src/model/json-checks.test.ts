import { describe, expect, it } from 'vitest';
import { checkDepth, MAX_JSON_DEPTH, show } from './json-checks';
import { parseModel, serializeModel } from './format';
import { makeRandomTextCnn } from './random-model';
import { ModelFormatError } from './safetensors';

/** An array nested `depth` deep around `inner`, built without recursion. */
function nested(depth: number, inner: unknown = 1): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function deepText(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

describe('show: a value for a message', () => {
  it('stays short and one line for any value, however deep or large', () => {
    expect(show(undefined)).toBe('nothing');
    expect(show(-1)).toBe('-1');
    expect(show('x')).toBe('"x"');
    expect(show([1, 'a', null, true])).toBe('[1,"a",null,true]');
    expect(show({ a: { b: 2 } })).toBe('{"a":{"b":2}}');
    const deep = JSON.parse(deepText(100_000));
    expect(show(deep)).toBe('[[[[[...]]]]]');
    const wide = new Array(1_000_000).fill(12345);
    expect(show(wide).length).toBeLessThanOrEqual(80);
    expect(show('a\nb'.repeat(100_000))).toMatch(/^"a\\nba\\nb.*\.\.\.$/);
    expect(show('a\nb'.repeat(100_000)).length).toBeLessThanOrEqual(80);
    expect(show({ ['k\n'.repeat(50)]: 1 })).not.toMatch(/\n/);
  });
});

describe('checkDepth', () => {
  it('accepts a model-shaped value and refuses one nested too deep, naming where', () => {
    expect(() => checkDepth({ a: [{ b: [1, 2] }] })).not.toThrow();
    expect(() => checkDepth(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => checkDepth(nested(MAX_JSON_DEPTH + 1))).toThrow(/^model\.json: \[0\]\[0\]\[0\]\[0\]\[0\]\.\.\.: nests objects and arrays more than 64 deep/);
    expect(() => checkDepth({ metrics: { history: nested(200) } })).toThrow(/^model\.json: metrics\.history\[0\]\[0\]\[0\]\.\.\.: nests/);
  });

  it('walks 100,000 levels without recursion', () => {
    expect(() => checkDepth(JSON.parse(deepText(100_000)))).toThrow(ModelFormatError);
  });
});

describe('model.json nested 100,000 deep', () => {
  const { config, weights } = makeRandomTextCnn({ vocabulary: ['a', 'b', 'c'], dim: 4, widths: [2], filters: 2, classes: ['x', 'y'], seed: 1 });
  const { configText, weightBytes } = serializeModel(config, weights);

  it.each([
    ['metrics', (json: string) => json.replace('"metrics": {}', `"metrics": {"deep": ${deepText(100_000)}}`), /^model\.json: metrics\.deep\[0\]\[0\]\[0\]\.\.\.: nests objects and arrays more than 64 deep/],
    ['network', (json: string) => json.replace(/"network": \{/, `"network": ${deepText(100_000)}, "unused": {`), /^model\.json: network\[0\]\[0\]\[0\]\[0\]\.\.\.: nests/],
    ['a layer field', (json: string) => json.replace('"mode": "avg"', `"mode": ${deepText(100_000)}`), /^model\.json: network\.layers\[2\]\.mode\[0\]\.\.\.: nests/],
  ])('in %s: a one-line ModelFormatError, not a stack overflow', (_where, edit, message) => {
    const text = edit(configText);
    expect(text.length).toBeGreaterThan(configText.length + 100_000);
    let caught: unknown;
    try {
      parseModel(text, weightBytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ModelFormatError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toMatch(/\n/);
  });
});
