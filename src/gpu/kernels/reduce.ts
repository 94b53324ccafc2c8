import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/**
 * Records `out[o] = Σ_t Σ_{k < groupSize} f(in[t][o · groupSize + k])` (`shaders/reduce.wgsl`), one thread
 * per output; f = |·| when `absolute`. The exported reductions below are this with their own grouping.
 */
function recordSumOverTimeAndGroups(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  role: string,
  args: { numSteps: number; outputs: number; groupSize: number; absolute: boolean; input: GPUBuffer; output: GPUBuffer },
): void {
  const uniform = new UniformWriter().u32(args.numSteps).u32(args.outputs).u32(args.groupSize).u32(0).finish();
  const pipeline = ctx.pipeline('reduce.wgsl', { WORKGROUP_SIZE, ABSOLUTE: args.absolute ? 1 : 0 });
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform(`${role}.params`, uniform), args.input, args.output],
    ctx.grid1d(args.outputs, WORKGROUP_SIZE),
  );
}

/** Records `[numSteps][n]` → `[n]`: the signed spike count of each neuron over time (BIF −1 counts −1). */
export function recordSumOverTime(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { numSteps: number; n: number; input: GPUBuffer; output: GPUBuffer },
): void {
  recordSumOverTimeAndGroups(ctx, pass, arena, 'sumOverTime', { ...args, outputs: args.n, groupSize: 1, absolute: false });
}

/**
 * Records `[numSteps][batch][positions][channels]` → `[batch][positions]`: spike events (|s| over time and
 * channels) per position, for energy accounting.
 */
export function recordCountEvents(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { numSteps: number; batch: number; positions: number; channels: number; input: GPUBuffer; output: GPUBuffer },
): void {
  const outputs = args.batch * args.positions;
  recordSumOverTimeAndGroups(ctx, pass, arena, 'countEvents', { ...args, outputs, groupSize: args.channels, absolute: true });
}

/**
 * Records the readout `[numSteps][batch][classes · population]` (class-major) → `[batch][classes]`: signed
 * spike counts over time and each class's population.
 */
export function recordReadout(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { numSteps: number; batch: number; classes: number; population: number; input: GPUBuffer; output: GPUBuffer },
): void {
  const outputs = args.batch * args.classes;
  recordSumOverTimeAndGroups(ctx, pass, arena, 'readout', { ...args, outputs, groupSize: args.population, absolute: false });
}
