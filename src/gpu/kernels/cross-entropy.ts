import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/** Softmax cross-entropy (`shaders/cross_entropy.wgsl`): `gradLogits` and `stats [batch][2]` = (loss, correct). */
export function recordCrossEntropy(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { batch: number; classes: number; gradScale: number; logits: GPUBuffer; labels: GPUBuffer; gradLogits: GPUBuffer; stats: GPUBuffer },
): void {
  const uniform = new UniformWriter().u32(args.batch).u32(args.classes).f32(args.gradScale).u32(0).finish();
  ctx.dispatch(
    pass,
    ctx.pipeline('cross_entropy.wgsl', { WORKGROUP_SIZE }),
    [arena.uniform('crossEntropy.params', uniform), args.logits, args.labels, args.gradLogits, args.stats],
    ctx.grid1d(args.batch, WORKGROUP_SIZE),
  );
}
