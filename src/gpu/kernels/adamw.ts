import { adamWScalars, type AdamWSettings } from '../../reference/adamw';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/** One AdamW step on `param` in place (`shaders/adamw.wgsl`). */
export function recordAdamW(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { count: number; settings: AdamWSettings; param: GPUBuffer; grad: GPUBuffer; m: GPUBuffer; v: GPUBuffer },
): void {
  const { settings } = args;
  const { c1, c2 } = adamWScalars(settings);
  const uniform = new UniformWriter()
    .u32(args.count)
    .f32(settings.learningRate)
    .f32(settings.beta1)
    .f32(settings.beta2)
    .f32(settings.epsilon)
    .f32(settings.weightDecay)
    .f32(c1)
    .f32(c2)
    .f32(settings.low ?? -3.4e38)
    .f32(settings.high ?? 3.4e38)
    .finish();
  ctx.dispatch(pass, ctx.pipeline('adamw.wgsl', { WORKGROUP_SIZE }), [arena.uniform('adamw.params', uniform), args.param, args.grad, args.m, args.v], ctx.grid1d(args.count, WORKGROUP_SIZE));
}
