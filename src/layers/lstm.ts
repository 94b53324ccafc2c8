/**
 * An LSTM over the positions of the sentence (architecture §2.6): the ANN baseline that LITE-SNN is
 * measured against, a layer kind like the others so that it trains, runs and is priced by the same
 * engine. `z = W·x + b` for every position (the linear kernel), then the recurrence
 * (`shaders/lstm.wgsl`, twin `src/reference/lstm.ts`): gates i, f, g, o from `z + U·h_{p−1}`,
 * `c = f·c + i·g`, `h = o·tanh(c)`. Positions past a sample's length give 0. Long texts run chunk by
 * chunk, h and c carried. It does not spike: in the SNN run it computes the same values (once, for a
 * static input) as in its ANN twin.
 */
import { size } from '../model/json-checks';
import { UnsupportedNetworkError } from './errors';
import { needPositional, needUniform, positionalShape } from './shapes';
import type { LayerModule, LayerSpecBase, ValueShape } from './types';

export interface LstmLayerSpec extends LayerSpecBase {
  kind: 'lstm';
  hidden: number;
}

/** The largest hidden size (the kernels keep a sequence's h, c and gate gradients in workgroup memory). */
export const MAX_LSTM_UNITS = 512;

function checkInput(input: ValueShape): void {
  needPositional(input, 'an lstm layer');
  needUniform(input, 'an lstm layer');
}

/** Multiply-accumulates of one position: the input's and the recurrent part of 4H gates, and the 3H products of the cell and output. */
export function lstmMacsPerPosition(inFeatures: number, hidden: number): number {
  return 4 * hidden * (inFeatures + hidden) + 3 * hidden;
}

export const lstm: LayerModule<LstmLayerSpec> = {
  kind: 'lstm',
  arity: 'one',
  sequential: true,
  staticInput: 'propagate',
  parse(o, path, base, [input]) {
    checkInput(input);
    return { kind: 'lstm', ...base, hidden: size(o, 'hidden', path, MAX_LSTM_UNITS) };
  },
  output(spec, [input]) {
    checkInput(input);
    return positionalShape(new Array<number>(spec.hidden).fill(input.maxSpan));
  },
  tensors(spec, [input]) {
    const H = spec.hidden;
    return [
      { name: `${spec.name}.inputWeight`, shape: [4 * H, input.channels] },
      { name: `${spec.name}.recurrentWeight`, shape: [4 * H, H] },
      { name: `${spec.name}.bias`, shape: [4 * H] },
    ];
  },
  record(ctx, spec, [input], out) {
    const H = spec.hidden;
    const sequences = input.steps * ctx.batch;
    const rows = sequences * input.positions;
    const z = ctx.scratch(`${spec.name}.z`, rows * 4 * H);
    ctx.ops.linear({ rows, rowStart: 0, rowCount: rows, inFeatures: input.shape.channels, outFeatures: 4 * H, input: input.tensor, weights: ctx.weight(`${spec.name}.inputWeight`), bias: ctx.weight(`${spec.name}.bias`), output: z });
    ctx.ops.lstm({
      shape: { sequences, batch: ctx.batch, positions: input.positions, hidden: H },
      z,
      recurrentWeights: ctx.weight(`${spec.name}.recurrentWeight`),
      lengths: ctx.sequenceValid(input.shape),
      carry: ctx.runTensor(`${spec.name}.carry`, sequences * 2 * H),
      continues: ctx.chunkIndex > 0,
      output: out.tensor,
    });
  },
  energy(spec, ctx) {
    const [{ positions, source, shape }] = ctx.inputs;
    const H = spec.hidden;
    // The input's part as synapses (accumulates per input spike, or multiply-accumulates of analog input), plus the bias.
    ctx.synapses(positions * shape.channels * 4 * H, () => 0, 4 * H, positions * 4 * H);
    // The recurrence and the gates' products are multiplications in both networks.
    const recurrent = positions * (4 * H * H + 3 * H);
    ctx.row.annMacs += recurrent;
    ctx.row.snnMacs += recurrent;
    return { kind: 'analog', constant: source.kind === 'analog' && source.constant };
  },
  view(spec) {
    return { spiking: false, label: `LSTM, ${spec.hidden} units` };
  },
  train: {
    check(spec, mode) {
      if (mode === 'snn') throw new UnsupportedNetworkError(`layer ${spec.name} (lstm) is an ANN layer; it trains in the ANN mode (train --method lstm)`);
    },
    params(spec, stored) {
      return [
        { name: `${spec.name}.inputWeight`, value: stored(`${spec.name}.inputWeight`).slice(), decay: true },
        { name: `${spec.name}.recurrentWeight`, value: stored(`${spec.name}.recurrentWeight`).slice(), decay: true },
        { name: `${spec.name}.bias`, value: stored(`${spec.name}.bias`).slice(), decay: false },
      ];
    },
    forward(ctx, spec, [input], output) {
      const H = spec.hidden;
      const rows = ctx.rows * input.positions;
      // Every work tensor is sized by the output's capacity (rows × positions × H, at least rows × H).
      const z = ctx.work(`${spec.name}.z`, 4 * output.capacity);
      ctx.ops.linear({ rows, rowStart: 0, rowCount: rows, inFeatures: input.shape.channels, outFeatures: 4 * H, input: input.tensor, weights: ctx.param(`${spec.name}.inputWeight`).value, bias: ctx.param(`${spec.name}.bias`).value, output: z });
      ctx.ops.lstm({
        shape: { sequences: ctx.rows, batch: ctx.rows, positions: input.positions, hidden: H },
        z,
        recurrentWeights: ctx.param(`${spec.name}.recurrentWeight`).value,
        lengths: ctx.rowLengths(input.shape),
        carry: ctx.work(`${spec.name}.carry`, 2 * output.capacity),
        continues: false,
        output: output.tensor,
        kept: { gates: ctx.work(`${spec.name}.gates`, 4 * output.capacity), cells: ctx.work(`${spec.name}.cells`, output.capacity) },
      });
    },
    backward(ctx, spec, [input], output, gradOutput, [gradInput]) {
      const H = spec.hidden;
      const rows = ctx.rows * input.positions;
      const shape = { sequences: ctx.rows, batch: ctx.rows, positions: input.positions, hidden: H };
      const lengths = ctx.rowLengths(input.shape);
      const gradGates = ctx.work(`${spec.name}.gradGates`, 4 * output.capacity);
      const recurrent = ctx.param(`${spec.name}.recurrentWeight`);
      ctx.ops.lstmBackward({ shape, gates: ctx.work(`${spec.name}.gates`, 4 * output.capacity), cells: ctx.work(`${spec.name}.cells`, output.capacity), recurrentWeights: recurrent.value, lengths, gradOutput, gradGates });
      ctx.ops.lstmRecurrentGrad({ shape, output: output.tensor, gradGates, lengths, gradRecurrent: recurrent.grad });
      const linearShape = { rows, inFeatures: input.shape.channels, outFeatures: 4 * H };
      ctx.ops.linearWeightBackward({ shape: linearShape, input: input.tensor, gradOutput: gradGates, gradWeights: ctx.param(`${spec.name}.inputWeight`).grad, gradBias: ctx.param(`${spec.name}.bias`).grad });
      if (gradInput) ctx.ops.linearInputBackward({ shape: linearShape, weights: ctx.param(`${spec.name}.inputWeight`).value, gradOutput: gradGates, gradInput });
    },
  },
};
