import { BufferArena } from '../gpu/arena';
import type { BufferPool } from '../gpu/buffer-pool';
import type { GpuContext } from '../gpu/context';
import type { AnnActivation } from '../model/spec';
import type { TrainActivation } from '../reference/activation-train';
import { recordActivation } from '../gpu/kernels/activation';
import { recordActivationBackwardTrain, recordActivationForwardTrain } from '../gpu/kernels/activation-train';
import { recordAdamW } from '../gpu/kernels/adamw';
import { recordConvInputBackward, recordConvWeightBackward } from '../gpu/kernels/conv-train';
import { recordCrossEntropy } from '../gpu/kernels/cross-entropy';
import { recordDropout } from '../gpu/kernels/dropout';
import { recordEmbeddingBackward } from '../gpu/kernels/embedding-backward';
import { blockedWeightGradientFits, recordBlockedWeightGradient, recordLinearInputBackward, recordLinearWeightBackward } from '../gpu/kernels/linear-train';
import { recordNeuronBackward } from '../gpu/kernels/neuron-backward';
import { recordLstm, recordLstmBackward, recordLstmRecurrentGrad } from '../gpu/kernels/lstm';
import { recordPoolBackward } from '../gpu/kernels/pool-backward';
import { recordTokenRecurrentBackwardTrain, recordTokenRecurrentForwardTrain } from '../gpu/kernels/token-recurrent-train';
import { recordConv } from '../gpu/kernels/conv';
import { recordEncode } from '../gpu/kernels/encode';
import { recordLinear } from '../gpu/kernels/linear';
import { betaValues, createNeuronLayerBuffers, recordNeuron, type NeuronLayerBuffers } from '../gpu/kernels/neuron';
import { recordPlace } from '../gpu/kernels/place';
import { recordPoolSum, recordScaleRows } from '../gpu/kernels/pool';
import { recordRecurrent } from '../gpu/kernels/recurrent';
import { recordTokenRecurrent } from '../gpu/kernels/token-recurrent';
import { recordCountEvents, recordReadout, recordSumOverTime } from '../gpu/kernels/reduce';
import type { NeuronParams } from '../reference/neuron';
import type { TensorOps } from './ops';

/** A GPU tensor: a storage buffer and the number of floats in use. */
export interface GpuTensor {
  buffer: GPUBuffer;
  length: number;
}

type Ops = TensorOps<GpuTensor, NeuronLayerBuffers>;

/** A tensor argument as the kernels' recorders take it: its buffer. */
type Unwrapped<T> = { [K in keyof T]: BufferOf<T[K]> };
type BufferOf<V> = V extends GpuTensor ? GPUBuffer : V;

function isGpuTensor(value: unknown): value is GpuTensor {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && 'buffer' in value && 'length' in value && Object.keys(value).length === 2;
}

/** The arguments with every tensor replaced by its buffer (one level deep). */
function unwrap<T extends object>(args: T): Unwrapped<T> {
  return Object.fromEntries(Object.entries(args).map(([key, value]) => [key, isGpuTensor(value) ? value.buffer : value])) as Unwrapped<T>;
}

/** Passes whose duration is measured with timestamp queries (two queries each). */
const MAX_TIMED_PASSES = 64;
type Args<K extends keyof Ops> = Ops[K] extends (args: infer A) => void ? A : never;

/**
 * The operations on WebGPU, for inference and training: every op records a dispatch into the
 * current compute pass of one command encoder (`flush` submits it and starts another, for very long
 * runs); `read` submits it all and maps the results once. Per-batch buffers live in one arena drawn
 * from the backend's pool and released after each read; persistent ones in another.
 */
export class GpuOps implements TensorOps<GpuTensor, NeuronLayerBuffers> {
  readonly kind = 'gpu';
  readonly supportsStepRanges = true;
  /** Buffers of the current batch (allocations, uploads, uniforms), released after each read. */
  private arena: BufferArena;
  /** Buffers that live as long as the ops (a trainer's parameters and reused buffers). */
  private readonly persistentArena: BufferArena;
  /** Nanoseconds the compute passes of the last read took on the device, when the adapter has timestamp queries. */
  gpuNanoseconds: number | undefined;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** Passes begun since the last read; the first MAX_TIMED_PASSES are timed. */
  private passes = 0;
  private readonly querySet: GPUQuerySet | null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly pool?: BufferPool,
  ) {
    ctx.assertAlive();
    this.arena = new BufferArena(ctx.device, 'ops', pool);
    this.persistentArena = new BufferArena(ctx.device, 'ops.persistent');
    this.querySet = ctx.hasTimestamps ? ctx.device.createQuerySet({ label: 'ops.timestamps', type: 'timestamp', count: 2 * MAX_TIMED_PASSES }) : null;
  }

  /** The pass being recorded into (a command encoder and a pass begin with the first op). */
  private recording(): GPUComputePassEncoder {
    if (!this.encoder) this.encoder = this.ctx.device.createCommandEncoder({ label: 'ops' });
    if (!this.pass) {
      const timed = this.querySet !== null && this.passes < MAX_TIMED_PASSES;
      this.pass = this.encoder.beginComputePass({
        label: `ops.pass${this.passes}`,
        timestampWrites: timed ? { querySet: this.querySet!, beginningOfPassWriteIndex: 2 * this.passes, endOfPassWriteIndex: 2 * this.passes + 1 } : undefined,
      });
      this.passes++;
    }
    return this.pass;
  }

  /** Submits what is recorded so far and begins a new command buffer. */
  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.ctx.device.queue.submit([this.encoder.finish()]);
    this.pass = null;
    this.encoder = null;
  }

  settle(): Promise<void> {
    return this.ctx.device.queue.onSubmittedWorkDone();
  }

  allocate(role: string, length: number): GpuTensor {
    return { buffer: this.arena.scratch(role, length * 4), length };
  }

  upload(role: string, data: Float32Array | Int32Array | Uint32Array): GpuTensor {
    return { buffer: this.arena.storage(role, data.length > 0 ? data : new Uint32Array(1), GPUBufferUsage.COPY_SRC), length: data.length };
  }

  persistent(role: string, data: Float32Array | Int32Array | Uint32Array): GpuTensor {
    return { buffer: this.persistentArena.storage(role, data, GPUBufferUsage.COPY_SRC), length: data.length };
  }

  write(tensor: GpuTensor, data: Float32Array | Int32Array | Uint32Array): void {
    this.ctx.device.queue.writeBuffer(tensor.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  clear(tensor: GpuTensor, length: number): void {
    // Clears between passes of the same command buffer: end the pass, clear; the next op begins another.
    this.recording();
    this.pass!.end();
    this.pass = null;
    this.encoder!.clearBuffer(tensor.buffer, 0, length * 4);
  }

  neuronLayer(role: string, params: NeuronParams, neurons: number, learned?: { vThreshold: GpuTensor; beta: GpuTensor }): NeuronLayerBuffers {
    const layer = createNeuronLayerBuffers(this.arena, params, neurons, role);
    // The layout of learned thresholds and leaks (one, or one per channel) is that of `params`.
    if (learned) return { ...layer, vThreshold: learned.vThreshold.buffer, beta: learned.beta.buffer };
    return layer;
  }

  encode(args: Args<'encode'>): void {
    recordEncode(this.ctx, this.recording(), this.arena, {
      ...args,
      tokenIds: args.tokenIds.buffer,
      probabilities: args.probabilities.buffer,
      streamIds: args.streamIds.buffer,
      output: args.output.buffer,
    });
  }

  conv(args: Args<'conv'>): void {
    recordConv(this.ctx, this.recording(), this.arena, {
      ...args,
      input: args.input.buffer,
      weights: args.weights.buffer,
      bias: args.bias?.buffer ?? null,
      lengths: args.lengths.buffer,
      output: args.output.buffer,
    });
  }

  linear(args: Args<'linear'>): void {
    recordLinear(this.ctx, this.recording(), this.arena, {
      ...args,
      input: args.input.buffer,
      weights: args.weights.buffer,
      bias: args.bias?.buffer ?? null,
      output: args.output.buffer,
    });
  }

  neuron(args: Args<'neuron'>): void {
    recordNeuron(this.ctx, this.recording(), this.arena, {
      ...args,
      x: args.x.buffer,
      spikes: args.spikes.buffer,
      membrane: args.membrane?.buffer,
      sequence: args.sequence && { ...args.sequence, validPositions: args.sequence.validPositions.buffer },
    });
  }

  recurrent(args: Args<'recurrent'>): void {
    recordRecurrent(this.ctx, this.recording(), this.arena, {
      ...args,
      inputCurrent: args.inputCurrent.buffer,
      recurrentWeights: args.recurrentWeights.buffer,
      spikes: args.spikes.buffer,
      membrane: args.membrane?.buffer,
    });
  }

  tokenRecurrent(args: Args<'tokenRecurrent'>): void {
    recordTokenRecurrent(this.ctx, this.recording(), this.arena, {
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
    if (args.step) {
      recordActivationForwardTrain(this.ctx, this.recording(), this.arena, { ...unwrap(args), activation: args.activation as TrainActivation, step: args.step.buffer });
      return;
    }
    recordActivation(this.ctx, this.recording(), this.arena, { ...args, activation: args.activation as AnnActivation, input: args.input.buffer, output: args.output.buffer });
  }

  place(args: Args<'place'>): void {
    const { groups, positionsIn, channelsIn, positionsOut, channelsOut, channelOffset } = args;
    recordPlace(this.ctx, this.recording(), this.arena, {
      shape: { groups, positionsIn, channelsIn, positionsOut, channelsOut, channelOffset },
      groupStart: args.groupStart,
      accumulate: args.accumulate,
      input: args.input.buffer,
      output: args.output.buffer,
    });
  }

  poolSum(args: Args<'poolSum'>): void {
    recordPoolSum(this.ctx, this.recording(), this.arena, {
      ...args,
      input: args.input.buffer,
      validPositions: args.validPositions.buffer,
      output: args.output.buffer,
    });
  }

  scaleRows(args: Args<'scaleRows'>): void {
    recordScaleRows(this.ctx, this.recording(), this.arena, { ...args, values: args.values.buffer, scale: args.scale.buffer });
  }

  countEvents(args: Args<'countEvents'>): void {
    recordCountEvents(this.ctx, this.recording(), this.arena, { ...args, input: args.input.buffer, output: args.output.buffer });
  }

  readout(args: Args<'readout'>): void {
    recordReadout(this.ctx, this.recording(), this.arena, { ...args, input: args.input.buffer, output: args.output.buffer });
  }

  convWeightBackward(args: Args<'convWeightBackward'>): void {
    recordConvWeightBackward(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  convInputBackward(args: Args<'convInputBackward'>): void {
    recordConvInputBackward(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  activationBackward(args: Args<'activationBackward'>): void {
    recordActivationBackwardTrain(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  poolBackward(args: Args<'poolBackward'>): void {
    recordPoolBackward(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  dropout(args: Args<'dropout'>): void {
    recordDropout(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  linearWeightBackward(args: Args<'linearWeightBackward'>): void {
    const plain = unwrap(args);
    // Many rows (per-token layers): 4 × 4 register blocks where the features allow; the same sums.
    if (args.gradBias === null && args.shape.rows >= 256 && blockedWeightGradientFits(args.shape)) recordBlockedWeightGradient(this.ctx, this.recording(), this.arena, { shape: plain.shape, input: plain.input, gradOutput: plain.gradOutput, gradWeights: plain.gradWeights });
    else recordLinearWeightBackward(this.ctx, this.recording(), this.arena, plain);
  }

  linearInputBackward(args: Args<'linearInputBackward'>): void {
    recordLinearInputBackward(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  crossEntropy(args: Args<'crossEntropy'>): void {
    recordCrossEntropy(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  embeddingBackward(args: Args<'embeddingBackward'>): void {
    recordEmbeddingBackward(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  adamW(args: Args<'adamW'>): void {
    recordAdamW(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  tokenRecurrentForward(args: Args<'tokenRecurrentForward'>): void {
    recordTokenRecurrentForwardTrain(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  tokenRecurrentBackward(args: Args<'tokenRecurrentBackward'>): void {
    recordTokenRecurrentBackwardTrain(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  neuronBackward(args: Args<'neuronBackward'>): void {
    const { gradInput, vThreshold, beta, learned, sequence, ...rest } = args;
    recordNeuronBackward(this.ctx, this.recording(), this.arena, {
      ...unwrap(rest),
      sequence: sequence && { ...sequence, validPositions: sequence.validPositions.buffer },
      vThreshold: vThreshold?.buffer ?? this.arena.storage('neuronBackward.vThreshold', args.params.vThreshold),
      beta: beta?.buffer ?? this.arena.storage('neuronBackward.beta', betaValues(args.params)),
      gradX: gradInput.buffer,
      learned: learned ? { gradBeta: learned.gradBeta.buffer, gradThreshold: learned.gradThreshold.buffer } : undefined,
    });
  }

  lstm(args: Args<'lstm'>): void {
    const { kept, ...rest } = args;
    recordLstm(this.ctx, this.recording(), this.arena, { ...unwrap(rest), kept: kept && unwrap(kept) });
  }

  lstmBackward(args: Args<'lstmBackward'>): void {
    recordLstmBackward(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  lstmRecurrentGrad(args: Args<'lstmRecurrentGrad'>): void {
    recordLstmRecurrentGrad(this.ctx, this.recording(), this.arena, unwrap(args));
  }

  sumRows(args: Args<'sumRows'>): void {
    recordSumOverTime(this.ctx, this.recording(), this.arena, { numSteps: args.rows, n: args.columns, input: args.input.buffer, output: args.output.buffer });
  }

  async read(tensors: { tensor: GpuTensor; length: number }[]): Promise<Float32Array[]> {
    this.recording();
    this.pass!.end();
    this.pass = null;
    const encoder = this.encoder!;
    this.encoder = null;
    const outputs = tensors.map(({ tensor, length }) => ({ buffer: tensor.buffer, byteLength: length * 4 }));
    const timedPasses = Math.min(this.passes, MAX_TIMED_PASSES);
    if (this.querySet && timedPasses > 0) {
      const resolved = this.arena.create('timestamps', 16 * timedPasses, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
      encoder.resolveQuerySet(this.querySet, 0, 2 * timedPasses, resolved, 0);
      outputs.push({ buffer: resolved, byteLength: 16 * timedPasses });
    }
    const passes = this.passes;
    this.passes = 0;
    let data: Float32Array[];
    try {
      data = await this.ctx.readBack(outputs, encoder);
    } finally {
      this.arena.destroy();
      this.arena = new BufferArena(this.ctx.device, 'ops', this.pool);
    }
    if (this.querySet && timedPasses > 0) {
      const stamps = new BigUint64Array(data.pop()!.buffer);
      let elapsed = 0;
      for (let pass = 0; pass < timedPasses; pass++) elapsed += Number(stamps[2 * pass + 1] - stamps[2 * pass]);
      // Untimed passes of very long runs make the figure a lower bound; report none rather than a wrong one.
      this.gpuNanoseconds = elapsed > 0 && passes <= MAX_TIMED_PASSES ? elapsed : undefined;
    }
    return data;
  }

  dispose(): void {
    this.arena.destroy();
    this.persistentArena.destroy();
    this.querySet?.destroy();
  }
}
