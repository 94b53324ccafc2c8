import { Engine } from '../engine/engine';
import type { BackendChoice } from '../engine/types';
import { nodeGpu } from '../gpu/node-gpu';
import { UsageError } from './errors';

/** Parses `--backend`. */
export function backendChoice(value: string | undefined): BackendChoice {
  const choice = value ?? 'auto';
  if (choice !== 'auto' && choice !== 'gpu' && choice !== 'cpu') throw new UsageError(`--backend must be gpu, cpu or auto, got '${choice}'`);
  return choice;
}

/** An engine for Node: WebGPU from the `webgpu` package (SwiftShader without a GPU driver). */
export function createNodeEngine(backend: BackendChoice, maxBatch?: number): Engine {
  return new Engine({ backend, gpu: nodeGpu, maxBatch });
}
