import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/** `gradInput[b][q][c] = q < valid[b][c] ? gradOutput[b][c] · scale[b][c] : 0` (`shaders/pool_backward.wgsl`). */
export function recordPoolBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { batch: number; positions: number; channels: number; gradOutput: GPUBuffer; validPositions: GPUBuffer; scale: GPUBuffer; gradInput: GPUBuffer },
): void {
  const uniform = new UniformWriter().u32(args.batch).u32(args.positions).u32(args.channels).u32(0).finish();
  ctx.dispatch(
    pass,
    ctx.pipeline('pool_backward.wgsl', { WORKGROUP_SIZE }),
    [arena.uniform('poolBackward.params', uniform), args.gradOutput, args.validPositions, args.scale, args.gradInput],
    ctx.grid1d(args.batch * args.positions * args.channels, WORKGROUP_SIZE),
  );
}
