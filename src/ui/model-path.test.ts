import { describe, expect, it } from 'vitest';
import type { ModelIndexEntry } from './model-index';
import { checkModelPath, ModelPathError } from './model-path';

const PAGE = 'https://spikescope.example/app/sub/?model=x';
const INDEX: ModelIndexEntry[] = [
  { id: 'mr', path: 'models/mr-textcnn-bif', name: 'MR', language: 'en' },
  { id: 'shared', path: 'shared-models/sst2/', name: 'SST-2 kept elsewhere on this site', language: 'en' },
  { id: 'foreign', path: 'https://other.example/models/x', name: 'a foreign entry', language: 'en' },
];

function refusal(value: string): string {
  try {
    checkModelPath(value, PAGE, INDEX);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelPathError);
    expect((error as Error).message).not.toMatch(/\n/);
    return (error as Error).message;
  }
  throw new Error(`${value} was allowed`);
}

describe('checkModelPath: which model folders a ?model= link may open', () => {
  it('allows the index’s folders and folders inside the site’s models/ directory', () => {
    expect(checkModelPath('models/mr-textcnn-bif', PAGE, INDEX)).toBe('models/mr-textcnn-bif');
    expect(checkModelPath(' ./models/mr-textcnn-bif/ ', PAGE, INDEX)).toBe('./models/mr-textcnn-bif/');
    expect(checkModelPath('shared-models/sst2', PAGE, INDEX)).toBe('shared-models/sst2');
    expect(checkModelPath('models/test-random', PAGE, INDEX)).toBe('models/test-random');
    expect(checkModelPath('/app/sub/models/deep/er', PAGE, INDEX)).toBe('/app/sub/models/deep/er');
    expect(checkModelPath('models/a/../b', PAGE, INDEX)).toBe('models/a/../b');
  });

  it.each([
    ['https://evil.example/models/x', /is an absolute https: URL; links cannot load models from elsewhere/],
    ['HTTP://evil.example/models/x', /is an absolute http: URL/],
    ['data:application/json,{}', /is an absolute data: URL/],
    ['blob:https://spikescope.example/1234', /is an absolute blob: URL/],
    ['javascript:alert(1)', /is an absolute javascript: URL/],
    ['file:///etc/passwd', /is an absolute file: URL/],
    ['https://spikescope.example/app/sub/models/mr-textcnn-bif', /is an absolute https: URL/],
    ['//evil.example/models/x', /names another host \(it starts with \/\/\)/],
    ['\\\\evil.example/models/x', /holds a backslash or a control character/],
    ['/\\evil.example/models/x', /holds a backslash/],
    ['models/x\ny', /holds a backslash or a control character/],
    ['models/\u0000x', /holds a backslash or a control character/],
    ['models/x?y=1', /holds a query or fragment/],
    ['models/x#top', /holds a query or fragment/],
    ['../secret', /is not a model of this site: it is not in models\/index\.json nor a folder in the site's models\/ directory/],
    ['models/../../secret', /is not a model of this site/],
    ['models/%2e%2e/%2e%2e/secret', /is not a model of this site/],
    ['/elsewhere/models/x', /is not a model of this site/],
    ['models', /is not a model of this site/],
    ['models/', /is not a model of this site/],
    ['https://other.example/models/x', /is an absolute https: URL/],
    ['', /is empty/],
  ])('refuses %j', (value, message) => {
    expect(refusal(value)).toMatch(message);
  });

  it('an index entry on another origin is never allowed through the index', () => {
    // The entry resolves elsewhere; the same path written relative is only allowed inside models/.
    expect(refusal('other.example/models/x')).toMatch(/is not a model of this site/);
  });
});
