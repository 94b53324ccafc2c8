import { STEP_GRAD_CHUNK, type TrainActivation } from '../../reference/activation-train';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;
const KIND_CODE = { relu: 0, identity: 1, quant: 2 } as const;

function uniform(count: number, activation: TrainActivation, stepGradScale: number): ArrayBuffer {
  const maxLevel = activation.kind === 'quant' ? activation.levels - 1 : 0;
  return new UniformWriter().u32(count).u32(Math.ceil(count / STEP_GRAD_CHUNK)).f32(maxLevel).f32(stepGradScale).finish();
}

function pipeline(ctx: GpuContext, mode: number, activation: TrainActivation): GPUComputePipeline {
  return ctx.pipeline('activation_train.wgsl', { WORKGROUP_SIZE, TRAIN_MODE: mode, ACTIVATION_KIND: KIND_CODE[activation.kind] });
}

/** `output = act(input)` with the step read from `step[0]` (`shaders/activation_train.wgsl`, mode 0). */
export function recordActivationForwardTrain(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { count: number; activation: TrainActivation; step: GPUBuffer; input: GPUBuffer; output: GPUBuffer },
): void {
  const unused = arena.scratch('activationTrain.unused', 16);
  ctx.dispatch(
    pass,
    pipeline(ctx, 0, args.activation),
    [arena.uniform('activationForwardTrain.params', uniform(args.count, args.activation, 0)), args.step, args.input, unused, args.output, arena.scratch('activationTrain.noPartials', 16)],
    ctx.grid1d(args.count, WORKGROUP_SIZE),
  );
}

/**
 * `gradInput = dy · act'(input)` and, for the quantiser, `gradStep[0] = stepGradScale · Σ dy · ∂y/∂s`
 * (modes 1 and 2: chunk partials, then their sum).
 */
export function recordActivationBackwardTrain(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    count: number;
    activation: TrainActivation;
    step: GPUBuffer;
    input: GPUBuffer;
    gradOutput: GPUBuffer;
    gradInput: GPUBuffer;
    gradStep: GPUBuffer | null;
    stepGradScale: number;
  },
): void {
  const chunks = Math.ceil(args.count / STEP_GRAD_CHUNK);
  const params = arena.uniform('activationBackwardTrain.params', uniform(args.count, args.activation, args.stepGradScale));
  const partials = arena.scratch('activationBackwardTrain.partials', chunks * 4);
  ctx.dispatch(pass, pipeline(ctx, 1, args.activation), [params, args.step, args.input, args.gradOutput, args.gradInput, partials], ctx.grid1d(chunks, WORKGROUP_SIZE));
  if (args.gradStep) {
    ctx.dispatch(pass, pipeline(ctx, 2, args.activation), [params, args.step, args.input, args.gradOutput, args.gradStep, partials], [1]);
  }
}
