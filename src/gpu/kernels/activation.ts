import type { AnnActivation } from '../../model/spec';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/** `ACTIVATION_KIND` of `shaders/activation_function.wgsl`. */
export const ACTIVATION_CODE = { relu: 0, identity: 1, quant: 2 } as const;

/** Uniform fields of a quantised activation, `max_level` (levels − 1) and `step`; unused placeholders for the others. */
export function activationConstants(activation: AnnActivation | undefined): { maxLevel: number; step: number } {
  if (activation?.kind !== 'quant') return { maxLevel: 0, step: 1 };
  if (!(activation.step > 0) || !(activation.levels >= 1)) {
    throw new RangeError(`A quantised activation needs step > 0 and levels >= 1, got step ${activation.step}, levels ${activation.levels}.`);
  }
  return { maxLevel: activation.levels - 1, step: activation.step };
}

/**
 * Records `output[i] = act(input[i])` for `count` elements (`shaders/activation.wgsl`): the ANN twin
 * runs this where the SNN runs a neuron layer. `input` and `output` must be different buffers.
 */
export function recordActivation(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { count: number; activation: AnnActivation; input: GPUBuffer; output: GPUBuffer },
): void {
  const { maxLevel, step } = activationConstants(args.activation);
  const uniform = new UniformWriter().u32(args.count).f32(maxLevel).f32(step).u32(0).finish();
  const pipeline = ctx.pipeline('activation.wgsl', { WORKGROUP_SIZE, ACTIVATION_KIND: ACTIVATION_CODE[args.activation.kind] });
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('activation.params', uniform), args.input, args.output],
    ctx.grid1d(args.count, WORKGROUP_SIZE),
  );
}
