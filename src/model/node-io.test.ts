import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError, serializeModel } from './format';
import { loadModelDir, MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE, saveModelDir, saveModelZip } from './node-io';
import { makeRandomTextCnn } from './random-model';
import { readZip, writeZip } from './zip';
import type { ZipEntry } from './zip';

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

/** The model's two files, as a zip would hold them under `folder` (`''` or `name/`). */
function modelEntries(folder: string): ZipEntry[] {
  const { configText, weightBytes } = serializeModel(made.config, made.weights);
  return [
    { name: `${folder}${MODEL_CONFIG_FILE}`, data: new TextEncoder().encode(configText) },
    { name: `${folder}${MODEL_WEIGHTS_FILE}`, data: weightBytes },
  ];
}

/** A zip whose entries are deflated, as the zip tools of operating systems write them. */
function deflatedZip(entries: ZipEntry[]): Uint8Array {
  const stored = writeZip(entries);
  const view = new DataView(stored.buffer);
  const directory = view.getUint32(stored.length - 6, true);
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  let at = directory;
  for (const { data } of entries) {
    const nameLength = view.getUint16(at + 28, true);
    const header = stored.slice(at, at + 46 + nameLength);
    const local = stored.slice(view.getUint32(at + 42, true), view.getUint32(at + 42, true) + 30 + nameLength);
    const packed = deflateRawSync(data);
    for (const [record, method, sizes] of [[local, 8, 18], [header, 10, 20]] as const) {
      new DataView(record.buffer).setUint16(method, 8, true);
      new DataView(record.buffer).setUint32(sizes, packed.length, true);
    }
    new DataView(header.buffer).setUint32(42, offset, true);
    parts.push(local, packed);
    central.push(header);
    offset += local.length + packed.length;
    at += header.length;
  }
  const end = stored.slice(stored.length - 22);
  new DataView(end.buffer).setUint32(12, central.reduce((sum, part) => sum + part.length, 0), true);
  new DataView(end.buffer).setUint32(16, offset, true);
  return new Uint8Array(Buffer.concat([...parts, ...central, end]));
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

describe('model zips', () => {
  it('saves a zip that loads as the folder does', async () => {
    const dir = join(root, 'as-folder');
    const file = join(root, 'zips', 'model.zip');
    await saveModelDir(dir, made.config, made.weights);
    await saveModelZip(file, made.config, made.weights, '# Tiny model\n');
    const files = readZip(await readFile(file));
    expect([...files.keys()]).toEqual([MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE, 'README.md']);
    expect(new TextDecoder().decode(files.get('README.md'))).toBe('# Tiny model\n');
    const fromZip = await loadModelDir(file);
    const fromFolder = await loadModelDir(dir);
    expect(fromZip).toEqual(fromFolder);
    expect(fromZip.weights.get('fc.weight')).toEqual(made.weights.get('fc.weight'));
    expect(fromZip.vocabulary).toEqual(fromFolder.vocabulary);
    expect(fromZip.config.vocabulary).toEqual(['a', 'b', 'c', 'd']);
  });

  it('loads a deflated zip with the files in one top-level folder, whatever the file is called', async () => {
    const dir = join(root, 'reference');
    await saveModelDir(dir, made.config, made.weights);
    const folder = await loadModelDir(dir);
    const zip = deflatedZip([{ name: 'my-model/README.md', data: new TextEncoder().encode('card') }, ...modelEntries('my-model/')]);
    expect(new DataView(zip.buffer).getUint16(8, true)).toBe(8);
    const file = join(root, 'my-model.zip');
    await writeFile(file, zip);
    expect(await loadModelDir(file)).toEqual(folder);
    const unnamed = join(root, 'download');
    await writeFile(unnamed, zip);
    expect(await loadModelDir(unnamed)).toEqual(folder);
  });

  it('prefixes content errors with the zip and the folder inside it', async () => {
    const entries = modelEntries('m/');
    const json = JSON.parse(new TextDecoder().decode(entries[0].data));
    json.network.layers[1].vThreshold = [0];
    entries[0].data = new TextEncoder().encode(JSON.stringify(json));
    const file = join(root, 'broken.zip');
    await writeFile(file, writeZip(entries));
    expect(await loadError(file)).toBe(`${file}/m/model.json: network.layers[1].vThreshold: must be positive numbers, got 0`);
  });

  it('names what a zip without the model files holds', async () => {
    const noConfig = join(root, 'no-config.zip');
    await writeFile(noConfig, writeZip(modelEntries('').slice(1)));
    expect(await loadError(noConfig)).toBe(
      `${noConfig}: holds "weights.safetensors" but no "model.json"; zip the whole model folder, which holds model.json and weights.safetensors`,
    );
    const other = join(root, 'other.zip');
    await writeFile(other, writeZip([{ name: 'README.md', data: new Uint8Array(1) }, { name: 'deep/er/model.json', data: new Uint8Array(1) }]));
    expect(await loadError(other)).toBe(
      `${other}: holds no model.json or weights.safetensors at its root or in a top-level folder (it holds "README.md", "deep/er/model.json"); zip a model folder`,
    );
    const two = join(root, 'two.zip');
    await writeFile(two, writeZip([...modelEntries('a/'), ...modelEntries('b/')]));
    expect(await loadError(two)).toBe(`${two}: holds several model folders ("a/", "b/"); zip one model`);
  });

  it('names a missing or damaged zip', async () => {
    const missing = join(root, 'missing.zip');
    expect(await loadError(missing)).toBe(`${missing}: the model zip does not exist; pass a .zip holding ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}, or the model folder`);
    const file = join(root, 'cut.zip');
    await saveModelZip(file, made.config, made.weights);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 100));
    expect(await loadError(file)).toBe(`${file}: is cut short (its ${bytes.length - 100} bytes end before the zip's end-of-central-directory record); download the model again`);
    const text = join(root, 'notes.zip');
    await writeFile(text, 'not a zip');
    expect(await loadError(text)).toMatch(/notes\.zip: is not a ZIP archive/);
  });
});
