import { Engine } from '../engine/engine';
import type { BackendChoice } from '../engine/types';
import { nodeGpu } from '../gpu/node-gpu';
import { UsageError } from './errors';

/** Parses `--backend`. */
export function backendChoice(value: string | undefined): BackendChoice {
  const choice = value ?? 'auto';
  if (choice !== 'auto' && choice !== 'gpu' && choice !== 'cpu' && choice !== 'reference') throw new UsageError(`--backend must be gpu, cpu, reference or auto, got '${choice}'`);
  return choice;
}

/**
 * An engine for Node: WebGPU from the `webgpu` package, or the WebAssembly CPU backend. `auto` takes
 * a hardware adapter, and the CPU backend where the only adapter is SwiftShader (it is faster).
 */
export function createNodeEngine(backend: BackendChoice, maxBatch?: number): Engine {
  return new Engine({ backend, gpu: nodeGpu, maxBatch, skipSoftwareAdapter: true });
}
