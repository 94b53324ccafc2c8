/**
 * Model folders on disk, and zips of them, for Node (CLI, training, tests). The only file of
 * src/model that touches the file system; everything else here is pure and runs in the browser too.
 * A zip (as the browser downloads a model) is read whole and unpacked in memory with `readZip`,
 * deflated entries through Node's zlib.
 */
import { mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { quoteName } from './describe-value';
import { parseModel, serializeModel } from './format';
import type { LoadedModel, ModelConfig } from './format';
import { ModelFormatError } from './safetensors';
import type { TensorRecord } from './safetensors';
import { readZip, writeZip } from './zip';
import type { ZipEntry } from './zip';

/** The config file of a model folder (a `ModelConfig` as JSON). */
export const MODEL_CONFIG_FILE = 'model.json';
/** The weight file of a model folder (safetensors). */
export const MODEL_WEIGHTS_FILE = 'weights.safetensors';
/** The model card of a model folder (Markdown; optional, not read by the loader). */
export const MODEL_README_FILE = 'README.md';

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot be read (${(error as Error).message})`;
}

async function readModelFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ModelFormatError(`${path}: ${describeError(error)}; a model folder holds ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}`, { cause: error });
  }
}

/**
 * Loads and validates the model in folder `dir`, or in the zip file `dir` (a path ending in `.zip`,
 * or a file that starts as a zip does), so that a model downloaded from the browser loads without
 * unpacking it. A zip holds `model.json` and `weights.safetensors` at its root or inside one
 * top-level folder. Errors are `ModelFormatError`s that name the folder, zip or file: a missing or
 * unreadable folder or file, a damaged zip, or the first problem in their content.
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(dir)).isDirectory();
  } catch (error) {
    if (hasZipExtension(dir)) {
      throw new ModelFormatError(`${dir}: the model zip ${describeError(error)}; pass a .zip holding ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}, or the model folder`, { cause: error });
    }
    throw new ModelFormatError(`${dir}: the model folder ${describeError(error)}; pass the path of a folder holding ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}`, { cause: error });
  }
  if (!isFolder) {
    if (hasZipExtension(dir) || (await startsLikeZip(dir))) return loadModelZip(dir);
    throw new ModelFormatError(`${dir}: is a file, not a model folder; pass the folder that holds ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}`);
  }
  const configBytes = await readModelFile(join(dir, MODEL_CONFIG_FILE));
  const weightBytes = await readModelFile(join(dir, MODEL_WEIGHTS_FILE));
  return parseModelFiles(configBytes, weightBytes, join(dir, MODEL_CONFIG_FILE), dir.replace(/[\\/]+$/, ''));
}

/**
 * Parses a model's two files; `configPath` names model.json in the UTF-8 error, and `where` (the
 * folder) prefixes the errors of `parseModel`, which name the file inside the folder.
 */
function parseModelFiles(configBytes: Uint8Array, weightBytes: Uint8Array, configPath: string, where: string): LoadedModel {
  let configText: string;
  try {
    configText = new TextDecoder('utf-8', { fatal: true }).decode(configBytes);
  } catch (error) {
    throw new ModelFormatError(`${configPath}: is not UTF-8 text; save it as UTF-8 JSON`, { cause: error });
  }
  try {
    return parseModel(configText, new Uint8Array(weightBytes.buffer, weightBytes.byteOffset, weightBytes.byteLength));
  } catch (error) {
    if (error instanceof ModelFormatError) throw new ModelFormatError(`${where}/${error.message}`, { cause: error });
    throw error;
  }
}

function hasZipExtension(path: string): boolean {
  return /\.zip$/i.test(path);
}

/** True when the file starts with a zip's local header signature `PK\x03\x04`; false when it cannot be read. */
async function startsLikeZip(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(4);
      const { bytesRead } = await handle.read(head, 0, 4, 0);
      return bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

/** Inflates one deflated zip entry, stopping once it would unpack to more than it declares. */
function inflateEntry(data: Uint8Array, expectedSize: number): Uint8Array {
  return inflateRawSync(data, { maxOutputLength: Math.max(1, expectedSize) });
}

/** What a zip holds, for an error message: its first few names. */
function describeZipContents(files: Map<string, Uint8Array>): string {
  if (files.size === 0) return 'it holds no files';
  const names = [...files.keys()];
  const shown = names.slice(0, 8).map(quoteName).join(', ');
  return `it holds ${shown}${names.length > 8 ? ` and ${names.length - 8} more` : ''}`;
}

/** The folder of a zip's model files: `''` for the root, else the one top-level `folder/` that holds them. */
function findModelFolder(path: string, files: Map<string, Uint8Array>): string {
  const holdsModel = (folder: string): boolean => files.has(folder + MODEL_CONFIG_FILE) || files.has(folder + MODEL_WEIGHTS_FILE);
  let folder = '';
  if (!holdsModel('')) {
    const topFolders = new Set<string>();
    for (const name of files.keys()) {
      const slash = name.indexOf('/');
      if (slash > 0) topFolders.add(name.slice(0, slash + 1));
    }
    const candidates = [...topFolders].filter(holdsModel);
    if (candidates.length === 0) {
      throw new ModelFormatError(`${path}: holds no ${MODEL_CONFIG_FILE} or ${MODEL_WEIGHTS_FILE} at its root or in a top-level folder (${describeZipContents(files)}); zip a model folder`);
    }
    if (candidates.length > 1) throw new ModelFormatError(`${path}: holds several model folders (${candidates.map(quoteName).join(', ')}); zip one model`);
    folder = candidates[0];
  }
  for (const [needed, other] of [[MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE], [MODEL_WEIGHTS_FILE, MODEL_CONFIG_FILE]]) {
    if (!files.has(folder + needed)) {
      throw new ModelFormatError(`${path}: holds ${quoteName(folder + other)} but no ${quoteName(folder + needed)}; zip the whole model folder, which holds ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}`);
    }
  }
  return folder;
}

/** Loads the model in the zip file at `path` (see `loadModelDir`); errors name the zip and the file in it. */
async function loadModelZip(path: string): Promise<LoadedModel> {
  let zipBytes: Buffer;
  try {
    zipBytes = await readFile(path);
  } catch (error) {
    throw new ModelFormatError(`${path}: ${describeError(error)}; pass a .zip holding ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}, or the model folder`, { cause: error });
  }
  const files = readZip(new Uint8Array(zipBytes.buffer, zipBytes.byteOffset, zipBytes.byteLength), { name: path, inflateRaw: inflateEntry });
  const folder = findModelFolder(path, files);
  const where = folder === '' ? path : `${path}/${folder.slice(0, -1)}`;
  return parseModelFiles(files.get(folder + MODEL_CONFIG_FILE)!, files.get(folder + MODEL_WEIGHTS_FILE)!, `${where}/${MODEL_CONFIG_FILE}`, where);
}

/**
 * Writes a model folder (created if needed; existing files replaced): validates as
 * `serializeModel` does, then writes `model.json` and `weights.safetensors`.
 */
export async function saveModelDir(dir: string, config: ModelConfig, weights: Map<string, Float32Array | TensorRecord>): Promise<void> {
  const { configText, weightBytes } = serializeModel(config, weights);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MODEL_WEIGHTS_FILE), weightBytes);
  await writeFile(join(dir, MODEL_CONFIG_FILE), configText, 'utf8');
}

/**
 * Writes a model as one zip file (its folder created if needed; an existing file replaced), as the
 * browser downloads it: validates as `serializeModel` does, then stores `model.json`,
 * `weights.safetensors` and, when given, `readme` as `README.md`, uncompressed.
 */
export async function saveModelZip(path: string, config: ModelConfig, weights: Map<string, Float32Array | TensorRecord>, readme?: string): Promise<void> {
  const { configText, weightBytes } = serializeModel(config, weights);
  const encoder = new TextEncoder();
  const entries: ZipEntry[] = [
    { name: MODEL_CONFIG_FILE, data: encoder.encode(configText) },
    { name: MODEL_WEIGHTS_FILE, data: weightBytes },
  ];
  if (readme !== undefined) entries.push({ name: MODEL_README_FILE, data: encoder.encode(readme) });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, writeZip(entries));
}
