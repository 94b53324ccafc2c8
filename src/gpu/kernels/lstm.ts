import type { LstmShape } from '../../reference/lstm';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';
import { GpuLimitError } from '../errors';

const WORKGROUP_SIZE = 64;

/** The largest hidden size of the LSTM kernels (workgroup memory: 6 × hidden floats in the backward pass). */
export const MAX_LSTM_HIDDEN = 512;

/** Units the pipeline's workgroup memory holds: a power of two, at least 32. */
function capacity(hidden: number): number {
  if (hidden > MAX_LSTM_HIDDEN) throw new GpuLimitError(`An LSTM of ${hidden} units is too large for the kernels (at most ${MAX_LSTM_HIDDEN}).`);
  let units = 32;
  while (units < hidden) units *= 2;
  return units;
}

/**
 * The LSTM's forward pass (`shaders/lstm.wgsl`, twin `lstmForwardReference`): h from z = W·x + b and
 * U, one workgroup per sequence; the state starts from `carry` when `continues` (else zeros) and is
 * written back to it. With `kept`, also the gate activations and the cells.
 */
export function recordLstm(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    shape: LstmShape;
    z: GPUBuffer;
    recurrentWeights: GPUBuffer;
    lengths: GPUBuffer;
    carry: GPUBuffer;
    continues: boolean;
    output: GPUBuffer;
    kept?: { gates: GPUBuffer; cells: GPUBuffer };
  },
): void {
  const { sequences, positions, hidden, batch } = args.shape;
  const uniform = new UniformWriter().u32(sequences).u32(positions).u32(hidden).u32(args.continues ? 1 : 0).u32(args.kept ? 1 : 0).u32(batch).u32(0).u32(0).finish();
  const pipeline = ctx.pipeline('lstm.wgsl', { WORKGROUP_SIZE, CAPACITY: capacity(hidden) });
  const kept = args.kept ?? { gates: arena.scratch('lstm.noGates', 16), cells: arena.scratch('lstm.noCells', 16) };
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('lstm.params', uniform), args.z, args.recurrentWeights, args.lengths, args.carry, args.output, kept.gates, kept.cells],
    ctx.grid1d(sequences, 1),
  );
}

/** The LSTM's backward pass (`shaders/lstm_backward.wgsl`, twin `lstmBackwardReference`): da from dh. */
export function recordLstmBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    shape: LstmShape;
    gates: GPUBuffer;
    cells: GPUBuffer;
    recurrentWeights: GPUBuffer;
    lengths: GPUBuffer;
    gradOutput: GPUBuffer;
    gradGates: GPUBuffer;
  },
): void {
  const { sequences, positions, hidden, batch } = args.shape;
  const uniform = new UniformWriter().u32(sequences).u32(positions).u32(hidden).u32(batch).finish();
  const pipeline = ctx.pipeline('lstm_backward.wgsl', { WORKGROUP_SIZE, CAPACITY: capacity(hidden) });
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('lstmBackward.params', uniform), args.gates, args.cells, args.recurrentWeights, args.lengths, args.gradOutput, args.gradGates],
    ctx.grid1d(sequences, 1),
  );
}

/** The recurrent weights' gradient (`shaders/lstm_recurrent_grad.wgsl`, twin `lstmRecurrentGradReference`). */
export function recordLstmRecurrentGrad(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { shape: LstmShape; output: GPUBuffer; gradGates: GPUBuffer; lengths: GPUBuffer; gradRecurrent: GPUBuffer },
): void {
  const { sequences, positions, hidden, batch } = args.shape;
  const uniform = new UniformWriter().u32(sequences).u32(positions).u32(hidden).u32(batch).finish();
  ctx.dispatch(
    pass,
    ctx.pipeline('lstm_recurrent_grad.wgsl', { WORKGROUP_SIZE }),
    [arena.uniform('lstmRecurrentGrad.params', uniform), args.output, args.gradGates, args.lengths, args.gradRecurrent],
    ctx.grid1d(4 * hidden * hidden, WORKGROUP_SIZE),
  );
}
