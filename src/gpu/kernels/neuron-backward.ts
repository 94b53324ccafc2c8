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
    /** Models that learn β and θ: the per-neuron gradients (the kernel recomputes the forward's spikes from h). */
    learned?: { gradBeta: GPUBuffer; gradThreshold: GPUBuffer };
    /** Neurons over the positions (architecture §2.5): per-neuron gradients `[batch][channels]`. */
    sequence?: { batch: number; positions: number; validPositions: GPUBuffer };
  },
): void {
  const { params, sequence } = args;
  if (sequence && sequence.batch * sequence.positions * params.channels !== args.neurons) throw new RangeError(`a sequence of ${sequence.batch} × ${sequence.positions} positions × ${params.channels} channels is not ${args.neurons} neurons`);
  const model = NEURON_MODELS[params.model];
  if (!model.trainable) throw new Error(`${params.model} neurons are converted, not trained: no backward pass`);
  const learns = model.learns.length > 0;
  if (learns && !args.learned) throw new Error(`${params.model} learns its leak and threshold: the backward pass needs their gradient buffers`);
  const betas = params.betas?.length ?? 1;
  const uniform = new UniformWriter()
    .u32(args.neurons)
    .u32(args.numSteps)
    .u32(params.channels)
    .u32(params.vThreshold.length === 1 ? 0 : 1)
    .u32(betas > 1 ? 1 : 0)
    .f32(args.surrogate.kind === 'fast-sigmoid' ? args.surrogate.slope : 0)
    .f32(params.vInitFraction)
    .u32(sequence?.batch ?? 0)
    .u32(sequence?.positions ?? 0)
    .finish();
  const pipeline = ctx.pipeline('neuron_backward.wgsl', {
    WORKGROUP_SIZE,
    NEURON_MODEL: model.code,
    SURROGATE: args.surrogate.kind === 'fast-sigmoid' ? 0 : 1,
    RESET_PATH: params.reset === 'soft' && !args.detachReset ? 1 : 0,
    RESET_SOFT: params.reset === 'soft' ? 1 : 0,
    LEARNS: learns ? 1 : 0,
    SEQUENCE: sequence ? 1 : 0,
  });
  const learned = args.learned ?? { gradBeta: arena.scratch('neuronBackward.noGradBeta', 16), gradThreshold: arena.scratch('neuronBackward.noGradThreshold', 16) };
  const validPositions = sequence?.validPositions ?? arena.scratch('neuronBackward.noSequence', 16);
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('neuronBackward.params', uniform), args.membrane, args.gradSpikes, args.vThreshold, args.gradX, args.beta, validPositions, learned.gradBeta, learned.gradThreshold],
    ctx.grid1d(sequence ? sequence.batch * params.channels : args.neurons, WORKGROUP_SIZE),
  );
}
