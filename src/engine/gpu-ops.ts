import { BufferArena } from '../gpu/arena';
import type { BufferPool } from '../gpu/buffer-pool';
import type { GpuContext } from '../gpu/context';
import { recordActivation } from '../gpu/kernels/activation';
import { recordConv } from '../gpu/kernels/conv';
import { recordEncode } from '../gpu/kernels/encode';
import { recordLinear } from '../gpu/kernels/linear';
import { createNeuronLayerBuffers, recordNeuron, type NeuronLayerBuffers } from '../gpu/kernels/neuron';
import { recordPlace } from '../gpu/kernels/place';
import { recordPoolSum, recordScaleRows } from '../gpu/kernels/pool';
import { recordRecurrent } from '../gpu/kernels/recurrent';
import { recordTokenRecurrent } from '../gpu/kernels/token-recurrent';
import { recordCountEvents, recordReadout } from '../gpu/kernels/reduce';
import type { NeuronParams } from '../reference/neuron';
import type { TensorOps } from './ops';

/** A GPU tensor: a storage buffer and the number of floats in use. */
export interface GpuTensor {
  buffer: GPUBuffer;
  length: number;
}

type Ops = TensorOps<GpuTensor, NeuronLayerBuffers>;

/** Passes whose duration is measured with timestamp queries (two queries each). */
const MAX_TIMED_PASSES = 64;
type Args<K extends keyof Ops> = Ops[K] extends (args: infer A) => void ? A : never;

/**
 * The operations on WebGPU: every op records a dispatch into one compute pass of one command
 * encoder (`flush` starts another, for very long runs); `read` submits it all and maps the results
 * once. Per-run buffers live in one arena, drawn from the backend's pool.
 */
export class GpuOps implements TensorOps<GpuTensor, NeuronLayerBuffers> {
  readonly kind = 'gpu';
  readonly supportsStepRanges = true;
  readonly arena: BufferArena;
  /** Nanoseconds the compute passes took on the device, when the adapter has timestamp queries. */
  gpuNanoseconds: number | undefined;
  private encoder!: GPUCommandEncoder;
  private pass!: GPUComputePassEncoder;
  /** Passes begun so far; the first MAX_TIMED_PASSES are timed. */
  private passes = 0;
  private readonly querySet: GPUQuerySet | null;

  constructor(
    private readonly ctx: GpuContext,
    pool?: BufferPool,
  ) {
    ctx.assertAlive();
    this.arena = new BufferArena(ctx.device, 'inference', pool);
    this.querySet = ctx.hasTimestamps
      ? ctx.device.createQuerySet({ label: 'inference.timestamps', type: 'timestamp', count: 2 * MAX_TIMED_PASSES })
      : null;
    this.begin();
  }

  private begin(): void {
    this.encoder = this.ctx.device.createCommandEncoder({ label: 'inference' });
    const timed = this.querySet !== null && this.passes < MAX_TIMED_PASSES;
    this.pass = this.encoder.beginComputePass({
      label: `inference.pass${this.passes}`,
      timestampWrites: timed
        ? { querySet: this.querySet!, beginningOfPassWriteIndex: 2 * this.passes, endOfPassWriteIndex: 2 * this.passes + 1 }
        : undefined,
    });
    this.passes++;
  }

  /** Submits what is recorded so far and begins a new command buffer. */
  flush(): void {
    this.pass.end();
    this.ctx.device.queue.submit([this.encoder.finish()]);
    this.begin();
  }

  allocate(role: string, length: number): GpuTensor {
    return { buffer: this.arena.scratch(role, length * 4), length };
  }

  upload(role: string, data: Float32Array | Int32Array | Uint32Array): GpuTensor {
    return { buffer: this.arena.storage(role, data, GPUBufferUsage.COPY_SRC), length: data.length };
  }

  neuronLayer(role: string, params: NeuronParams, neurons: number): NeuronLayerBuffers {
    return createNeuronLayerBuffers(this.arena, params, neurons, role);
  }

  encode(args: Args<'encode'>): void {
    recordEncode(this.ctx, this.pass, this.arena, {
      ...args,
      tokenIds: args.tokenIds.buffer,
      probabilities: args.probabilities.buffer,
      streamIds: args.streamIds.buffer,
      output: args.output.buffer,
    });
  }

  conv(args: Args<'conv'>): void {
    recordConv(this.ctx, this.pass, this.arena, {
      ...args,
      input: args.input.buffer,
      weights: args.weights.buffer,
      bias: args.bias?.buffer ?? null,
      lengths: args.lengths.buffer,
      output: args.output.buffer,
    });
  }

  linear(args: Args<'linear'>): void {
    recordLinear(this.ctx, this.pass, this.arena, {
      ...args,
      input: args.input.buffer,
      weights: args.weights.buffer,
      bias: args.bias?.buffer ?? null,
      output: args.output.buffer,
    });
  }

  neuron(args: Args<'neuron'>): void {
    recordNeuron(this.ctx, this.pass, this.arena, {
      ...args,
      x: args.x.buffer,
      spikes: args.spikes.buffer,
      membrane: args.membrane?.buffer,
    });
  }

  recurrent(args: Args<'recurrent'>): void {
    recordRecurrent(this.ctx, this.pass, this.arena, {
      ...args,
      inputCurrent: args.inputCurrent.buffer,
      recurrentWeights: args.recurrentWeights.buffer,
      spikes: args.spikes.buffer,
      membrane: args.membrane?.buffer,
    });
  }

  tokenRecurrent(args: Args<'tokenRecurrent'>): void {
    recordTokenRecurrent(this.ctx, this.pass, this.arena, {
      ...args,
      x: args.x.buffer,
      recurrentWeights: args.recurrentWeights.buffer,
      validPositions: args.validPositions.buffer,
      carry: args.carry.buffer,
      spikes: args.spikes.buffer,
      membrane: args.membrane?.buffer,
    });
  }

  activation(args: Args<'activation'>): void {
    recordActivation(this.ctx, this.pass, this.arena, { ...args, input: args.input.buffer, output: args.output.buffer });
  }

  place(args: Args<'place'>): void {
    const { groups, positionsIn, channelsIn, positionsOut, channelsOut, channelOffset } = args;
    recordPlace(this.ctx, this.pass, this.arena, {
      shape: { groups, positionsIn, channelsIn, positionsOut, channelsOut, channelOffset },
      groupStart: args.groupStart,
      accumulate: args.accumulate,
      input: args.input.buffer,
      output: args.output.buffer,
    });
  }

  poolSum(args: Args<'poolSum'>): void {
    recordPoolSum(this.ctx, this.pass, this.arena, {
      ...args,
      input: args.input.buffer,
      validPositions: args.validPositions.buffer,
      output: args.output.buffer,
    });
  }

  scaleRows(args: Args<'scaleRows'>): void {
    recordScaleRows(this.ctx, this.pass, this.arena, { ...args, values: args.values.buffer, scale: args.scale.buffer });
  }

  countEvents(args: Args<'countEvents'>): void {
    recordCountEvents(this.ctx, this.pass, this.arena, { ...args, input: args.input.buffer, output: args.output.buffer });
  }

  readout(args: Args<'readout'>): void {
    recordReadout(this.ctx, this.pass, this.arena, { ...args, input: args.input.buffer, output: args.output.buffer });
  }

  async read(tensors: { tensor: GpuTensor; length: number }[]): Promise<Float32Array[]> {
    this.pass.end();
    const outputs = tensors.map(({ tensor, length }) => ({ buffer: tensor.buffer, byteLength: length * 4 }));
    const timedPasses = Math.min(this.passes, MAX_TIMED_PASSES);
    if (this.querySet) {
      const resolved = this.arena.create('timestamps', 16 * timedPasses, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
      this.encoder.resolveQuerySet(this.querySet, 0, 2 * timedPasses, resolved, 0);
      outputs.push({ buffer: resolved, byteLength: 16 * timedPasses });
    }
    const data = await this.ctx.readBack(outputs, this.encoder);
    if (this.querySet) {
      const stamps = new BigUint64Array(data.pop()!.buffer);
      let elapsed = 0;
      for (let pass = 0; pass < timedPasses; pass++) elapsed += Number(stamps[2 * pass + 1] - stamps[2 * pass]);
      // Untimed passes of very long runs make the figure a lower bound; report none rather than a wrong one.
      this.gpuNanoseconds = elapsed > 0 && this.passes <= MAX_TIMED_PASSES ? elapsed : undefined;
    }
    return data;
  }

  dispose(): void {
    this.arena.destroy();
    this.querySet?.destroy();
  }
}
