import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/** Inverted dropout with the stateless mask of (seed, iteration, element) (`shaders/dropout.wgsl`); the same call masks gradients. */
export function recordDropout(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { count: number; rate: number; seed: number; iteration: number; input: GPUBuffer; output: GPUBuffer },
): void {
  const uniform = new UniformWriter()
    .u32(args.count)
    .u32(args.seed)
    .u32(args.iteration)
    .u32(0)
    .f32(args.rate)
    .f32(Math.fround(1 / (1 - args.rate)))
    .finish();
  ctx.dispatch(pass, ctx.pipeline('dropout.wgsl', { WORKGROUP_SIZE }), [arena.uniform('dropout.params', uniform), args.input, args.output], ctx.grid1d(args.count, WORKGROUP_SIZE));
}
