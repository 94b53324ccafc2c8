/**
 * Reduction over positions (`shaders/pool.wgsl`, twin `src/reference/pool.ts`): the sum, or the
 * average over the positions that are valid in each channel. It runs chunk by chunk of positions,
 * accumulating; an average divides once, after the last chunk, so both backends are exact.
 */
import { oneOf } from '../model/json-checks';
import { flatShape, needPositional, poolCounts, poolScales } from './shapes';
import type { TensorOps } from '../engine/ops';
import type { LayerModule, LayerSpecBase } from './types';

export interface PoolLayerSpec extends LayerSpecBase {
  kind: 'pool';
  mode: 'avg' | 'sum';
}

/** `output[r][c] = scale[r][c] · Σ_{q < valid[r][c]} input[r][q][c]` over `rows` rows, each its own sample (training). */
export function poolRows<Tensor>(ops: TensorOps<Tensor>, rows: number, positions: number, channels: number, input: Tensor, valid: Tensor, scale: Tensor, output: Tensor): void {
  ops.poolSum({ shape: { rows, batch: rows, positions, channels }, rowStart: 0, rowCount: rows, input, validPositions: valid, output, accumulate: false });
  ops.scaleRows({ rows, rowStart: 0, rowCount: rows, batch: rows, channels, values: output, scale });
}

export const pool: LayerModule<PoolLayerSpec> = {
  kind: 'pool',
  arity: 'one',
  reduces: true,
  parse(o, path, base) {
    return { kind: 'pool', ...base, mode: oneOf(o, 'mode', path, ['avg', 'sum'] as const) };
  },
  output(_spec, [input]) {
    needPositional(input, 'a pool layer');
    return flatShape(input.channels);
  },
  tensors() {
    return [];
  },
  record(ctx, _spec, [input], out) {
    const rows = ctx.numSteps * ctx.batch;
    ctx.ops.poolSum({
      shape: { rows, batch: ctx.batch, positions: input.positions, channels: input.shape.channels },
      rowStart: ctx.tStart * ctx.batch,
      rowCount: ctx.tCount * ctx.batch,
      input: input.tensor,
      validPositions: ctx.validPositions(input.shape),
      output: out.tensor,
      accumulate: ctx.chunkIndex > 0,
    });
  },
  finish(ctx, spec, [input], out) {
    if (spec.mode === 'sum') return;
    const C = input.channels;
    const scale = poolScales(poolCounts(input, ctx.sampleLengths), 'avg');
    const rows = ctx.numSteps * ctx.batch;
    const values = out.tensor;
    ctx.ops.scaleRows({ rows, rowStart: ctx.tStart * ctx.batch, rowCount: ctx.tCount * ctx.batch, batch: ctx.batch, channels: C, values, scale: ctx.upload(`${spec.name}.scale`, scale) });
  },
  energy(_spec, ctx) {
    const [{ source, positions, shape }] = ctx.inputs;
    const adds = positions * shape.channels;
    ctx.row.annAcs = adds;
    if (source.kind === 'spikes') ctx.row.snnAcs = source.total;
    else ctx.row.snnAcs = source.constant ? adds : adds * ctx.numSteps;
    return { kind: 'analog', constant: source.kind === 'analog' && source.constant };
  },
  view(spec) {
    return { spiking: false, label: `${spec.mode === 'avg' ? 'average' : 'sum'} over positions` };
  },
  train: {
    params() {
      return [];
    },
    forward(ctx, spec, [input], output) {
      const { valid, scale } = ctx.poolTables(input.shape, spec.mode);
      poolRows(ctx.ops, ctx.rows, input.positions, input.shape.channels, input.tensor, valid, scale, output.tensor);
    },
    backward(ctx, spec, [input], _output, gradOutput, [gradInput]) {
      if (!gradInput) return;
      const { valid, scale } = ctx.poolTables(input.shape, spec.mode);
      ctx.ops.poolBackward({ batch: ctx.rows, positions: input.positions, channels: input.shape.channels, gradOutput, validPositions: valid, scale, gradInput });
    },
  },
};
