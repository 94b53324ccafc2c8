import type { NeuronParams } from '../../reference/neuron';
import type { Surrogate } from '../../reference/neuron-backward';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/** Records BPTT through a neuron layer (`shaders/neuron_backward.wgsl`): `gradX` from `membrane` (h) and `gradSpikes`. */
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
    gradX: GPUBuffer;
  },
): void {
  const { params } = args;
  if (params.model === 'BIF') throw new Error('BIF neurons are converted, not trained: no backward pass');
  const uniform = new UniformWriter()
    .u32(args.neurons)
    .u32(args.numSteps)
    .u32(params.channels)
    .u32(params.vThreshold.length === 1 ? 0 : 1)
    .f32(params.model === 'LIF' ? params.beta : 1)
    .f32(args.surrogate.kind === 'fast-sigmoid' ? args.surrogate.slope : 0)
    .finish();
  const pipeline = ctx.pipeline('neuron_backward.wgsl', {
    WORKGROUP_SIZE,
    SURROGATE: args.surrogate.kind === 'fast-sigmoid' ? 0 : 1,
    RESET_PATH: params.reset === 'soft' && !args.detachReset ? 1 : 0,
  });
  ctx.dispatch(pass, pipeline, [arena.uniform('neuronBackward.params', uniform), args.membrane, args.gradSpikes, args.vThreshold, args.gradX], ctx.grid1d(args.neurons, WORKGROUP_SIZE));
}
