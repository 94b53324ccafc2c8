import { adapterLabel, GpuContext, isSoftwareAdapter } from '../gpu/context';
import { GpuUnavailableError } from '../gpu/errors';
import { kernelMemory, wasmUnavailableReason } from '../wasm/runtime';
import type { BackendChoice } from './types';

/** Where a run goes: a WebGPU device, or the CPU (`cpu`: WebAssembly kernels, `reference`: the reference), with why. */
export type ResolvedBackend = { kind: 'gpu'; ctx: GpuContext } | { kind: 'cpu' | 'reference'; why: string };

/**
 * Resolves a backend choice. `gpu` needs an adapter (else throws `GpuUnavailableError`); `auto` takes
 * one, except a software adapter when `skipSoftwareAdapter` (the CPU backend is faster than
 * SwiftShader), and falls back to the CPU backend saying why; `cpu` is the WebAssembly backend
 * (the reference where the engine lacks WebAssembly SIMD); `reference` the plain TypeScript one.
 */
export async function resolveBackend(
  choice: BackendChoice,
  gpu: (() => Promise<GPU | undefined>) | undefined,
  skipSoftwareAdapter: boolean,
): Promise<ResolvedBackend> {
  if (choice === 'reference') return { kind: 'reference', why: 'chosen' };
  if (choice === 'cpu') return cpuOrReference('chosen');
  let why = '';
  try {
    const ctx = await GpuContext.create(await gpu?.());
    if (choice === 'auto' && skipSoftwareAdapter && isSoftwareAdapter(ctx.adapter) && kernelMemory()) {
      ctx.destroy();
      return { kind: 'cpu', why: `auto: the only WebGPU adapter is a software one, ${adapterLabel(ctx.adapter)}` };
    }
    return { kind: 'gpu', ctx };
  } catch (error) {
    if (choice === 'gpu') throw error instanceof GpuUnavailableError ? error : new GpuUnavailableError(String((error as Error).message ?? error));
    why = `WebGPU unavailable: ${(error as Error).message}`;
  }
  return cpuOrReference(why);
}

function cpuOrReference(why: string): ResolvedBackend {
  if (kernelMemory()) return { kind: 'cpu', why };
  return { kind: 'reference', why: [wasmUnavailableReason(), why].filter(Boolean).join('; ') };
}
