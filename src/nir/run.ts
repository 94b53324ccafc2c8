/** Runs a NIR program on the backend asked for (architecture §10.3). */
import { GpuContext, adapterLabel, isSoftwareAdapter } from '../gpu/context';
import type { NirProgram } from './compile';
import { runNirGpu } from './gpu';
import { runNirReference, type NirTrace } from './reference';

/** `gpu` needs an adapter; `auto` takes a hardware one and the CPU otherwise (SwiftShader is slower than it). */
export type NirBackendChoice = 'cpu' | 'gpu' | 'auto';

/** Runs `program` over `steps` rows of `input`; says which backend ran it. */
export async function runNir(
  program: NirProgram,
  input: Float32Array,
  steps: number,
  options: { backend: NirBackendChoice; gpu?: () => Promise<GPU | undefined> },
): Promise<{ trace: NirTrace; backend: string }> {
  if (options.backend !== 'cpu' && options.gpu) {
    let ctx: GpuContext | undefined;
    try {
      ctx = await GpuContext.create(await options.gpu());
    } catch (error) {
      if (options.backend === 'gpu') throw error;
    }
    if (ctx && (options.backend === 'gpu' || !isSoftwareAdapter(ctx.adapter))) {
      try {
        return { trace: await runNirGpu(ctx, program, input, steps), backend: `WebGPU (${adapterLabel(ctx.adapter)})` };
      } finally {
        ctx.destroy();
      }
    }
    ctx?.destroy();
  }
  return { trace: runNirReference(program, input, steps), backend: 'CPU reference' };
}
