import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/**
 * Records a copy of `count` f32 values from `input` to `output` (`shaders/copy.wgsl`). It does no
 * arithmetic, so its bytes per second are the memory bandwidth the benchmark compares other kernels with.
 * Each thread copies `perThread` values (default 1) strided by the thread count, as the neuron kernel
 * walks its T steps. `input` and `output` must be different buffers.
 */
export function recordCopy(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { count: number; input: GPUBuffer; output: GPUBuffer; perThread?: number },
): void {
  const perThread = Math.max(1, Math.floor(args.perThread ?? 1));
  const threads = Math.ceil(args.count / perThread);
  const uniform = new UniformWriter().u32(args.count).u32(threads).u32(perThread).finish();
  const pipeline = ctx.pipeline('copy.wgsl', { WORKGROUP_SIZE });
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('copy.params', uniform), args.input, args.output],
    ctx.grid1d(threads, WORKGROUP_SIZE),
  );
}
