/**
 * Model folders on disk, for Node (CLI, training, tests). The only file of src/model that touches
 * the file system; everything else here is pure and runs in the browser too.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModel, serializeModel } from './format';
import type { LoadedModel, ModelConfig } from './format';
import { ModelFormatError } from './safetensors';
import type { TensorRecord } from './safetensors';

/** The config file of a model folder (a `ModelConfig` as JSON). */
export const MODEL_CONFIG_FILE = 'model.json';
/** The weight file of a model folder (safetensors). */
export const MODEL_WEIGHTS_FILE = 'weights.safetensors';

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
 * Loads and validates the model in folder `dir`. Errors are `ModelFormatError`s that name the
 * folder or file: a missing or unreadable folder or file, or the first problem in their content.
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(dir)).isDirectory();
  } catch (error) {
    throw new ModelFormatError(`${dir}: the model folder ${describeError(error)}; pass the path of a folder holding ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}`, { cause: error });
  }
  if (!isFolder) throw new ModelFormatError(`${dir}: is a file, not a model folder; pass the folder that holds ${MODEL_CONFIG_FILE} and ${MODEL_WEIGHTS_FILE}`);
  const configBytes = await readModelFile(join(dir, MODEL_CONFIG_FILE));
  const weightBytes = await readModelFile(join(dir, MODEL_WEIGHTS_FILE));
  let configText: string;
  try {
    configText = new TextDecoder('utf-8', { fatal: true }).decode(configBytes);
  } catch (error) {
    throw new ModelFormatError(`${join(dir, MODEL_CONFIG_FILE)}: is not UTF-8 text; save it as UTF-8 JSON`, { cause: error });
  }
  try {
    return parseModel(configText, new Uint8Array(weightBytes.buffer, weightBytes.byteOffset, weightBytes.byteLength));
  } catch (error) {
    if (error instanceof ModelFormatError) throw new ModelFormatError(`${dir.replace(/[\\/]+$/, '')}/${error.message}`, { cause: error });
    throw error;
  }
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
