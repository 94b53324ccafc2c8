import { NEURON_MODELS } from '../../neurons/models';
import type { NeuronParams } from '../../reference/neuron';
import type { Surrogate } from '../../reference/neuron-backward';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/**
 * Records BPTT through a neuron layer (`shaders/neuron_backward.wgsl`): `gradX` from `membrane` (h)
 * and `gradSpikes`; for a model that learns β and θ, also their gradients per neuron, which need the
 * forward's `spikes`. `vThreshold` and `beta` hold one value or one per channel.
 */
export function recordNeuronBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    params: NeuronParams;
    neurons: number;
    numSteps: number;
    surrogate: Surrogate;
    detachReset: boolean;
    membrane: GPUBuffer;
    gradSpikes: GPUBuffer;
    vThreshold: GPUBuffer;
    beta: GPUBuffer;
    gradX: GPUBuffer;
    /** Models that learn β and θ: the forward's spikes and the per-neuron gradients. */
    learned?: { spikes: GPUBuffer; gradBeta: GPUBuffer; gradThreshold: GPUBuffer };
  },
): void {
  const { params } = args;
  const model = NEURON_MODELS[params.model];
  if (!model.trainable) throw new Error(`${params.model} neurons are converted, not trained: no backward pass`);
  const learns = model.learns.length > 0;
  if (learns && !args.learned) throw new Error(`${params.model} learns its leak and threshold: the backward pass needs the forward's spikes`);
  const betas = params.betas?.length ?? 1;
  const uniform = new UniformWriter()
    .u32(args.neurons)
    .u32(args.numSteps)
    .u32(params.channels)
    .u32(params.vThreshold.length === 1 ? 0 : 1)
    .u32(betas > 1 ? 1 : 0)
    .f32(args.surrogate.kind === 'fast-sigmoid' ? args.surrogate.slope : 0)
    .f32(params.vInitFraction)
    .u32(0)
    .finish();
  const pipeline = ctx.pipeline('neuron_backward.wgsl', {
    WORKGROUP_SIZE,
    NEURON_MODEL: model.code,
    SURROGATE: args.surrogate.kind === 'fast-sigmoid' ? 0 : 1,
    RESET_PATH: params.reset === 'soft' && !args.detachReset ? 1 : 0,
    RESET_SOFT: params.reset === 'soft' ? 1 : 0,
    LEARNS: learns ? 1 : 0,
  });
  const unused = arena.scratch('neuronBackward.unused', 16);
  const learned = args.learned ?? { spikes: unused, gradBeta: arena.scratch('neuronBackward.noGradBeta', 16), gradThreshold: arena.scratch('neuronBackward.noGradThreshold', 16) };
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('neuronBackward.params', uniform), args.membrane, args.gradSpikes, args.vThreshold, args.gradX, args.beta, learned.spikes, learned.gradBeta, learned.gradThreshold],
    ctx.grid1d(args.neurons, WORKGROUP_SIZE),
  );
}
