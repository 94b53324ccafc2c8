import { BufferArena } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { recordActivationBackwardTrain, recordActivationForwardTrain } from '../gpu/kernels/activation-train';
import { recordAdamW } from '../gpu/kernels/adamw';
import { recordConv } from '../gpu/kernels/conv';
import { recordConvInputBackward, recordConvWeightBackward } from '../gpu/kernels/conv-train';
import { recordCrossEntropy } from '../gpu/kernels/cross-entropy';
import { recordDropout } from '../gpu/kernels/dropout';
import { recordEmbeddingBackward } from '../gpu/kernels/embedding-backward';
import { recordEncode } from '../gpu/kernels/encode';
import { recordLinear } from '../gpu/kernels/linear';
import { blockedWeightGradientFits, recordBlockedWeightGradient, recordLinearInputBackward, recordLinearWeightBackward } from '../gpu/kernels/linear-train';
import { betaValues, createNeuronLayerBuffers, recordNeuron } from '../gpu/kernels/neuron';
import { recordNeuronBackward } from '../gpu/kernels/neuron-backward';
import { recordPoolSum, recordScaleRows } from '../gpu/kernels/pool';
import { recordSumOverTime } from '../gpu/kernels/reduce';
import { recordPoolBackward } from '../gpu/kernels/pool-backward';
import { recordTokenRecurrentBackwardTrain, recordTokenRecurrentForwardTrain } from '../gpu/kernels/token-recurrent-train';
import { convShapeOfTrain } from '../reference/conv-train';
import type { TrainOps } from './ops';

/** A GPU training tensor: a storage buffer. */
export type GpuTrainTensor = GPUBuffer;
type Args<K extends keyof TrainOps<GpuTrainTensor>> = TrainOps<GpuTrainTensor>[K] extends (args: infer A) => unknown ? A : never;

/**
 * Training on WebGPU: every op records a dispatch into the current compute pass; `read` submits the
 * batch's command buffer and maps the requested tensors once. Parameters and reusable buffers live
 * in one arena for the whole run; uniforms and per-batch uploads in an arena released after each read.
 */
export class GpuTrainOps implements TrainOps<GpuTrainTensor> {
  readonly kind = 'gpu';
  private readonly persistentArena: BufferArena;
  private batchArena: BufferArena;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly streamIds: GPUBuffer;

  constructor(private readonly ctx: GpuContext) {
    ctx.assertAlive();
    this.persistentArena = new BufferArena(ctx.device, 'train');
    this.batchArena = new BufferArena(ctx.device, 'train.batch');
    this.streamIds = this.persistentArena.storage('streamIds', new Uint32Array(4096));
  }

  private recording(): { pass: GPUComputePassEncoder; arena: BufferArena } {
    if (!this.pass) {
      this.encoder = this.ctx.device.createCommandEncoder({ label: 'train.batch' });
      this.pass = this.encoder.beginComputePass({ label: 'train.batch' });
    }
    return { pass: this.pass, arena: this.batchArena };
  }

  persistent(role: string, data: Float32Array | Int32Array | Uint32Array): GpuTrainTensor {
    return this.persistentArena.storage(role, data, GPUBufferUsage.COPY_SRC);
  }
  write(tensor: GpuTrainTensor, data: Float32Array | Int32Array | Uint32Array): void {
    this.ctx.device.queue.writeBuffer(tensor, 0, data.buffer, data.byteOffset, data.byteLength);
  }
  upload(role: string, data: Float32Array | Int32Array | Uint32Array): GpuTrainTensor {
    return this.batchArena.storage(role, data.length > 0 ? data : new Uint32Array(1));
  }
  clear(tensor: GpuTrainTensor, length: number): void {
    // Clears between passes of the same command buffer: end the pass, clear, begin another.
    this.recording();
    this.pass!.end();
    this.encoder!.clearBuffer(tensor, 0, Math.ceil((length * 4) / 4) * 4);
    this.pass = this.encoder!.beginComputePass({ label: 'train.batch' });
  }

  gather(args: Args<'gather'>): void {
    const { pass, arena } = this.recording();
    recordEncode(this.ctx, pass, arena, {
      kind: 'direct',
      seed: 0,
      shape: { numSteps: 1, batch: args.batch, tokens: args.tokens, dim: args.dim },
      tStart: 0,
      tCount: 1,
      positionOffset: 0,
      tokenIds: args.tokenIds,
      probabilities: args.table,
      streamIds: this.streamIds,
      output: args.output,
    });
  }
  convForward(args: Args<'convForward'>): void {
    const { pass, arena } = this.recording();
    const { shape, input, weights, lengths, output } = args;
    recordConv(this.ctx, pass, arena, { shape: convShapeOfTrain(shape), rowStart: 0, rowCount: shape.batch, input, weights, bias: null, lengths, output });
  }
  convWeightBackward(args: Args<'convWeightBackward'>): void {
    const { pass, arena } = this.recording();
    recordConvWeightBackward(this.ctx, pass, arena, args);
  }
  convInputBackward(args: Args<'convInputBackward'>): void {
    const { pass, arena } = this.recording();
    recordConvInputBackward(this.ctx, pass, arena, args);
  }
  activationForward(args: Args<'activationForward'>): void {
    const { pass, arena } = this.recording();
    recordActivationForwardTrain(this.ctx, pass, arena, args);
  }
  activationBackward(args: Args<'activationBackward'>): void {
    const { pass, arena } = this.recording();
    recordActivationBackwardTrain(this.ctx, pass, arena, args);
  }
  poolForward(args: Args<'poolForward'>): void {
    const { pass, arena } = this.recording();
    const { batch, positions, channels } = args;
    recordPoolSum(this.ctx, pass, arena, { shape: { rows: batch, batch, positions, channels }, rowStart: 0, rowCount: batch, input: args.input, validPositions: args.validPositions, output: args.output, accumulate: false });
    recordScaleRows(this.ctx, pass, arena, { rows: batch, rowStart: 0, rowCount: batch, batch, channels, values: args.output, scale: args.scale });
  }
  poolBackward(args: Args<'poolBackward'>): void {
    const { pass, arena } = this.recording();
    recordPoolBackward(this.ctx, pass, arena, args);
  }
  dropout(args: Args<'dropout'>): void {
    const { pass, arena } = this.recording();
    recordDropout(this.ctx, pass, arena, args);
  }
  linearForward(args: Args<'linearForward'>): void {
    const { pass, arena } = this.recording();
    const { shape, input, weights, bias, output } = args;
    recordLinear(this.ctx, pass, arena, { ...shape, rowStart: 0, rowCount: shape.rows, input, weights, bias, output });
  }
  linearWeightBackward(args: Args<'linearWeightBackward'>): void {
    const { pass, arena } = this.recording();
    // Many rows (per-token layers): 4 × 4 register blocks where the features allow; the same sums.
    if (args.gradBias === null && args.shape.rows >= 256 && blockedWeightGradientFits(args.shape)) recordBlockedWeightGradient(this.ctx, pass, arena, args);
    else recordLinearWeightBackward(this.ctx, pass, arena, args);
  }
  linearInputBackward(args: Args<'linearInputBackward'>): void {
    const { pass, arena } = this.recording();
    recordLinearInputBackward(this.ctx, pass, arena, args);
  }
  crossEntropy(args: Args<'crossEntropy'>): void {
    const { pass, arena } = this.recording();
    recordCrossEntropy(this.ctx, pass, arena, args);
  }
  embeddingBackward(args: Args<'embeddingBackward'>): void {
    const { pass, arena } = this.recording();
    recordEmbeddingBackward(this.ctx, pass, arena, args);
  }
  adamW(args: Args<'adamW'>): void {
    const { pass, arena } = this.recording();
    recordAdamW(this.ctx, pass, arena, args);
  }
  tokenRecurrentForward(args: Args<'tokenRecurrentForward'>): void {
    const { pass, arena } = this.recording();
    recordTokenRecurrentForwardTrain(this.ctx, pass, arena, args);
  }
  tokenRecurrentBackward(args: Args<'tokenRecurrentBackward'>): void {
    const { pass, arena } = this.recording();
    recordTokenRecurrentBackwardTrain(this.ctx, pass, arena, args);
  }
  encodeRate(args: Args<'encodeRate'>): void {
    const { pass, arena } = this.recording();
    const { shape } = args;
    recordEncode(this.ctx, pass, arena, { ...args, kind: 'rate', tStart: 0, tCount: shape.numSteps, positionOffset: 0 });
  }
  neuronForward(args: Args<'neuronForward'>): void {
    const { pass, arena } = this.recording();
    const layer = createNeuronLayerBuffers(arena, args.params, args.neurons, 'train.neuron');
    if (args.vThreshold) layer.vThreshold = args.vThreshold;
    if (args.beta) layer.beta = args.beta;
    // The layout of learned thresholds and leaks (one, or one per channel) is that of `params`.
    recordNeuron(this.ctx, pass, arena, { params: args.params, neurons: args.neurons, tStart: 0, tCount: args.numSteps, x: args.input, spikes: args.spikes, layer, membrane: args.membrane });
  }
  neuronBackward(args: Args<'neuronBackward'>): void {
    const { pass, arena } = this.recording();
    const { gradInput, vThreshold, beta, ...rest } = args;
    recordNeuronBackward(this.ctx, pass, arena, {
      ...rest,
      vThreshold: vThreshold ?? arena.storage('train.neuronBackward.vThreshold', args.params.vThreshold),
      beta: beta ?? arena.storage('train.neuronBackward.beta', betaValues(args.params)),
      gradX: gradInput,
    });
  }
  sumRows(args: Args<'sumRows'>): void {
    const { pass, arena } = this.recording();
    recordSumOverTime(this.ctx, pass, arena, { numSteps: args.rows, n: args.columns, input: args.input, output: args.output });
  }

  async read(tensors: { tensor: GpuTrainTensor; length: number }[]): Promise<Float32Array[]> {
    this.recording();
    this.pass!.end();
    const encoder = this.encoder!;
    this.pass = null;
    this.encoder = null;
    try {
      return await this.ctx.readBack(
        tensors.map(({ tensor, length }) => ({ buffer: tensor, byteLength: length * 4 })),
        encoder,
      );
    } finally {
      this.batchArena.destroy();
      this.batchArena = new BufferArena(this.ctx.device, 'train.batch');
    }
  }

  dispose(): void {
    this.batchArena.destroy();
    this.persistentArena.destroy();
  }
}
