import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from './format';
import { loadModelDir, MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE, saveModelDir } from './node-io';
import { makeRandomTextCnn } from './random-model';

const made = makeRandomTextCnn({ vocabulary: ['a', 'b', 'c', 'd'], dim: 4, widths: [1, 2], filters: 3, classes: ['no', 'yes'], seed: 3, embeddingDtype: 'U8' });
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'spikescope-model-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function loadError(dir: string): Promise<string> {
  try {
    await loadModelDir(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFormatError);
    return (error as Error).message;
  }
  throw new Error('the folder loaded without error');
}

describe('model folders', () => {
  it('saves a folder that loads back to the same model', async () => {
    const dir = join(root, 'nested', 'model');
    await saveModelDir(dir, made.config, made.weights);
    const model = await loadModelDir(dir);
    expect(model.config).toEqual(made.config);
    expect(model.weights.get('fc.weight')).toEqual(made.weights.get('fc.weight'));
    expect(model.embeddings.length).toBe(16);
  });

  it('names a missing folder and says what to pass', async () => {
    const dir = join(root, 'nowhere');
    expect(await loadError(dir)).toBe(`${dir}: the model folder does not exist; pass the path of a folder holding ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}`);
  });

  it('names a file given instead of a folder', async () => {
    const file = join(root, 'file.txt');
    await writeFile(file, 'x');
    expect(await loadError(file)).toMatch(/file\.txt: is a file, not a model folder/);
  });

  it('names a missing weight file', async () => {
    const dir = join(root, 'half');
    await saveModelDir(dir, made.config, made.weights);
    await rm(join(dir, MODEL_WEIGHTS_FILE));
    expect(await loadError(dir)).toBe(`${join(dir, MODEL_WEIGHTS_FILE)}: does not exist; a model folder holds ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}`);
  });

  it('prefixes content errors with the folder', async () => {
    const dir = join(root, 'broken');
    await saveModelDir(dir, made.config, made.weights);
    const json = JSON.parse(await readFile(join(dir, MODEL_CONFIG_FILE), 'utf8'));
    json.network.layers[1].vThreshold = [0];
    await writeFile(join(dir, MODEL_CONFIG_FILE), JSON.stringify(json));
    expect(await loadError(dir)).toBe(`${dir}/model.json: network.layers[1].vThreshold: must be positive numbers, got 0`);
  });

  it('rejects a config that is not UTF-8', async () => {
    const dir = join(root, 'latin1');
    await saveModelDir(dir, made.config, made.weights);
    await writeFile(join(dir, MODEL_CONFIG_FILE), new Uint8Array([0x7b, 0xff, 0x7d]));
    expect(await loadError(dir)).toMatch(/model\.json: is not UTF-8 text/);
  });
});
