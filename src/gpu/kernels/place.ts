import type { PlaceShape } from '../../reference/place';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/**
 * Records a placement of `groups` groups starting at `groupStart` (`shaders/place.wgsl`, twin
 * `placeReference`): the input's channels land at `channelOffset` of the output, or are added there.
 * `input` and `output` must be different buffers.
 */
export function recordPlace(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { shape: PlaceShape; groupStart: number; accumulate: boolean; input: GPUBuffer; output: GPUBuffer },
): void {
  const { groups, positionsIn, channelsIn, positionsOut, channelsOut, channelOffset } = args.shape;
  if (channelOffset + channelsIn > channelsOut) throw new RangeError(`place: channels ${channelOffset}..${channelOffset + channelsIn} do not fit ${channelsOut}.`);
  const count = groups * positionsOut * channelsIn;
  if (count === 0) return;
  const uniform = new UniformWriter().u32(groups).u32(positionsIn).u32(channelsIn).u32(positionsOut).u32(channelsOut).u32(channelOffset).u32(args.groupStart).u32(0).finish();
  const pipeline = ctx.pipeline('place.wgsl', { WORKGROUP_SIZE, ACCUMULATE: args.accumulate ? 1 : 0 });
  ctx.dispatch(pass, pipeline, [arena.uniform('place.params', uniform), args.input, args.output], ctx.grid1d(count, WORKGROUP_SIZE));
}
