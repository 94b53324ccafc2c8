import { checkConvShape, convChannelsOf, convPositionsOf, type ConvShape } from '../reference/conv';
import { checkLinearShape } from '../reference/linear';
import { NEURON_MODELS } from '../neurons/models';
import type { NeuronParams, NeuronState } from '../reference/neuron';
import { kernelMemory, type KernelMemory } from '../wasm/runtime';
import { CpuOps, type CpuTensor, wholeRange } from './cpu-ops';
import type { TensorOps } from './ops';

/** The reference backend's neuron layer (`CpuOps.neuronLayer`). */
interface WasmNeuronLayer {
  params: NeuronParams;
  state: NeuronState;
  learned?: { vThreshold: CpuTensor; beta: CpuTensor };
}

type Args<K extends keyof TensorOps<CpuTensor>> = TensorOps<CpuTensor>[K] extends (args: infer A) => unknown ? A : never;

/**
 * Up to these fractions of nonzero inputs in a row, the convolution and linear kernels run
 * event-driven (work per nonzero input: additions only for 0/1 spikes, multiply-adds for other
 * values); above them, as a dense register-blocked product. Both give the same bits. Measured by
 * `spikescope bench` (its crossover lines): on 2 cores the event-driven path won up to 90 % density
 * for spikes and 75 % for analog input, and lost at 100 % and 90 %.
 */
export const SPARSE_CROSSOVER = { spikes: 0.95, analog: 0.8 } as const;

/** How the WebAssembly kernels choose their path: dense, event-driven, or by the input's density. */
export type WasmPath = 'dense' | 'sparse' | 'auto';
const PATH_MODE: Record<WasmPath, number> = { dense: 0, sparse: 1, auto: 2 };

/**
 * The fast CPU backend: the reference ops (`CpuOps`), with the heavy ones (convolution, linear) run
 * by WebAssembly SIMD kernels that give the reference's bits. Where the kernels' memory can be
 * shared (Node, a cross-origin isolated page), tensors live in it and the kernels read them in
 * place; otherwise they are ordinary arrays, copied in and out around each kernel.
 */
export class WasmOps extends CpuOps {
  readonly memory: KernelMemory;
  /** Tensors of the batch under way (released by `read`), and persistent ones (released by `dispose`). */
  private batchOffsets: number[] = [];
  private persistentOffsets: number[] = [];

  constructor(
    readonly path: WasmPath = 'auto',
    readonly sparseCrossover: { spikes: number; analog: number } = SPARSE_CROSSOVER,
    memory: KernelMemory | null = kernelMemory(),
  ) {
    super();
    if (!memory) throw new Error('The WebAssembly backend needs WebAssembly SIMD, which this engine lacks.');
    this.memory = memory;
  }

  /** Whether this JavaScript engine can run the backend. */
  static available(): boolean {
    return kernelMemory() !== null;
  }

  private tensor(length: number, list: number[]): Float32Array {
    const offset = this.memory.allocate(Math.max(1, length) * 4);
    list.push(offset);
    // Not zeroed: as on the GPU (whose buffers are reused), an op writes a tensor before it is read.
    return this.memory.f32(offset, length);
  }

  override allocate(role: string, length: number): CpuTensor {
    return this.memory.shared ? this.tensor(length, this.batchOffsets) : super.allocate(role, length);
  }

  /** A copy of `data` in the kernels' memory, of the same type, listed in `list`. */
  private copyIn(data: Float32Array | Int32Array | Uint32Array, list: number[]): CpuTensor {
    const view = this.tensor(data.length, list);
    const Typed = data.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => Float32Array | Int32Array | Uint32Array;
    const typed = data instanceof Float32Array ? view : new Typed(view.buffer, view.byteOffset, data.length);
    typed.set(data);
    return typed;
  }

  override upload(role: string, data: Float32Array | Int32Array | Uint32Array): CpuTensor {
    return this.memory.shared ? this.copyIn(data, this.batchOffsets) : super.upload(role, data);
  }

  override persistent(role: string, data: Float32Array | Int32Array | Uint32Array): CpuTensor {
    return this.memory.shared ? this.copyIn(data, this.persistentOffsets) : super.persistent(role, data);
  }

  /**
   * Runs `body` with each tensor of `inputs` at an offset in the kernels' memory (copied in when it
   * lives elsewhere) and `temps` fresh blocks of the given bytes; an output outside the memory is
   * computed in a block and copied out afterwards.
   */
  private withMemory(
    inputs: { data: ArrayBufferView & { length: number }; length: number }[],
    output: { data: CpuTensor; length: number } | null,
    temps: number[],
    body: (inputOffsets: number[], outputOffset: number, tempOffsets: number[]) => void,
  ): void {
    const memory = this.memory;
    const owned: number[] = [];
    try {
      const plan = inputs.map(({ data, length }) => {
        const offset = memory.offsetOf(data);
        if (offset >= 0) return { offset, copy: false };
        const block = memory.allocate(Math.max(1, length) * 4);
        owned.push(block);
        return { offset: block, copy: true };
      });
      let outputOffset = 0;
      let copyOut = false;
      if (output) {
        outputOffset = memory.offsetOf(output.data);
        if (outputOffset < 0) {
          outputOffset = memory.allocate(Math.max(1, output.length) * 4);
          owned.push(outputOffset);
          copyOut = true;
        }
      }
      const tempOffsets = temps.map((bytes) => {
        const block = memory.allocate(Math.max(1, bytes));
        owned.push(block);
        return block;
      });
      // Views are made after every allocation: growing an unshared memory detaches older ones.
      inputs.forEach(({ data, length }, i) => {
        if (!plan[i].copy) return;
        const source = data as unknown as Float32Array;
        new (source.constructor as Float32ArrayConstructor)(memory.memory.buffer, plan[i].offset, length).set(source.subarray(0, length));
      });
      body(
        plan.map((p) => p.offset),
        outputOffset,
        tempOffsets,
      );
      if (output && copyOut) (output.data as Float32Array).set(memory.f32(outputOffset, output.length));
    } finally {
      for (const offset of owned) memory.release(offset);
    }
  }

  /** Runs the convolution kernel over all rows of `shape`. */
  private convolve(shape: ConvShape, input: CpuTensor, weights: CpuTensor, bias: CpuTensor | null, lengths: CpuTensor, output: CpuTensor): void {
    checkConvShape(shape);
    const { rows, batch, tokens, inChannels, widths, filters } = shape;
    const positions = convPositionsOf(shape);
    const channels = convChannelsOf(shape);
    const fPad = Math.ceil(filters / 4) * 4;
    const weightCount = widths.reduce((sum, width) => sum + width * inChannels * filters, 0);
    const packedCount = widths.reduce((sum, width) => sum + width * inChannels * fPad, 0);
    const widthArray = Int32Array.from(widths);
    const inputs = [
      { data: input, length: rows * tokens * inChannels },
      { data: weights, length: weightCount },
      { data: lengths, length: batch },
      { data: widthArray, length: widths.length },
      ...(bias ? [{ data: bias, length: channels }] : []),
    ];
    // Event lists of one row, per thread.
    const scratchBytes = Math.ceil(((2 * tokens * inChannels + tokens) * 4) / 64) * 64;
    const threads = Math.min(this.memory.threads, this.memory.maxThreads);
    this.withMemory(inputs, { data: output, length: rows * positions * channels }, [(packedCount + 16) * 4, scratchBytes * threads], (offsets, out, [packed, scratch]) => {
      const [inputAt, weightsAt, lengthsAt, widthsAt, biasAt = 0] = offsets;
      this.memory.exports.packConv(weightsAt, widths.length, widthsAt, filters, inChannels, packed);
      const mode = PATH_MODE[this.path];
      this.memory.parallel('conv', rows, (start, end, part) => [
        inputAt, start, end, batch, tokens, inChannels, lengthsAt, widths.length, widthsAt, filters, packed, biasAt, out, positions, mode, this.sparseCrossover.spikes, this.sparseCrossover.analog, scratch + part * scratchBytes,
      ], 1, positions * weightCount);
    });
  }

  override conv(args: Args<'conv'>): void {
    wholeRange(args.rowStart, args.rowCount, args.shape.rows);
    this.convolve(args.shape, args.input, args.weights, args.bias, args.lengths, args.output);
  }

  override linear(args: Args<'linear'>): void {
    wholeRange(args.rowStart, args.rowCount, args.rows);
    checkLinearShape(args.rows, args.inFeatures, args.outFeatures);
    // A linear layer is a convolution of width 1 over one token.
    const shape: ConvShape = { rows: args.rows, batch: 1, tokens: 1, inChannels: args.inFeatures, widths: [1], filters: args.outFeatures };
    this.convolve(shape, args.input, args.weights, args.bias, Uint32Array.of(1), args.output);
  }

  override encode(args: Args<'encode'>): void {
    wholeRange(args.tStart, args.tCount, args.shape.numSteps);
    const { numSteps, batch, tokens, dim } = args.shape;
    const vocab = Math.floor(args.probabilities.length / dim);
    const count = batch * tokens;
    // The rows of the words in the batch only (a vocabulary's table is tens of megabytes), ids renumbered.
    const ids = new Int32Array(count);
    const rows = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const token = args.tokenIds[i];
      if (token >= vocab) {
        throw new RangeError(`Token id ${token} at sample ${Math.floor(i / tokens)}, position ${i % tokens} is outside the vocabulary of ${vocab} words.`);
      }
      if (token < 0) ids[i] = -1;
      else {
        let row = rows.get(token);
        if (row === undefined) rows.set(token, (row = rows.size));
        ids[i] = row;
      }
    }
    const table = new Float32Array(Math.max(1, rows.size) * dim);
    const probabilities = args.probabilities as Float32Array;
    for (const [token, row] of rows) table.set(probabilities.subarray(token * dim, (token + 1) * dim), row * dim);
    const inputs = [
      { data: ids, length: count },
      { data: table, length: table.length },
      { data: args.streamIds, length: batch },
    ];
    this.withMemory(inputs, { data: args.output, length: numSteps * count * dim }, [], ([idsAt, tableAt, streams], out) => {
      const kind = args.kind === 'rate' ? 0 : 1;
      this.memory.parallel('encode', batch, (start, end) => [kind, args.seed >>> 0, numSteps, batch, tokens, dim, args.positionOffset, idsAt, tableAt, rows.size, streams, args.firstStepOnly ? 1 : 0, out, start, end], 1, 40 * numSteps * tokens * dim);
    });
  }

  /** Thresholds `[1]` or `[channels]` and leaks `[1]` or `[channels]` as the kernels take them (`thresholdOf`, `betaOf`). */
  private neuronConstants(params: NeuronParams, vThreshold?: CpuTensor, beta?: CpuTensor): { thresholds: Float32Array; betas: Float32Array } {
    const thresholds = (vThreshold as Float32Array | undefined) ?? params.vThreshold;
    const perChannel = (beta as Float32Array | undefined) ?? params.betas;
    const betas = perChannel && perChannel.length > 1 ? perChannel : Float32Array.of(Math.fround(perChannel?.[0] ?? params.beta));
    return { thresholds, betas };
  }

  override neuronBackward(args: Args<'neuronBackward'>): void {
    // Neurons over the positions run on the reference.
    if (args.sequence) return super.neuronBackward(args);
    const { params, neurons, numSteps } = args;
    const model = NEURON_MODELS[params.model];
    if (!model.trainable) throw new Error(`${params.model} neurons are converted, not trained: no backward pass`);
    const learns = model.learns.length > 0;
    if (learns && !args.learned) throw new Error(`${params.model} learns its leak and threshold: the backward pass needs the forward's spikes`);
    const { thresholds, betas } = this.neuronConstants(params, args.vThreshold, args.beta);
    const count = numSteps * neurons;
    const soft = params.reset === 'soft';
    const inputs = [
      { data: args.membrane, length: count },
      { data: args.gradSpikes, length: count },
      { data: thresholds, length: thresholds.length },
      { data: betas, length: betas.length },
      ...(args.learned ? [{ data: args.learned.spikes, length: count }, { data: args.learned.gradBeta, length: neurons }, { data: args.learned.gradThreshold, length: neurons }] : []),
    ];
    this.withMemory(inputs, { data: args.gradInput, length: count }, [], ([membrane, gradSpikes, thresholdsAt, betasAt, spikes = 0, gradBeta = 0, gradThreshold = 0], gradInput) => {
      const surrogate = args.surrogate.kind === 'fast-sigmoid' ? 0 : 1;
      const slope = args.surrogate.kind === 'fast-sigmoid' ? Math.fround(args.surrogate.slope) : 0;
      this.memory.parallel(
        'neuronBackward',
        neurons,
        (start, end) => [membrane, gradSpikes, spikes, numSteps, neurons, thresholdsAt, thresholds.length, betasAt, betas.length, params.channels,
          model.chargeKind === 'leaky' ? 1 : 0, surrogate, slope, soft && !args.detachReset ? 1 : 0, soft ? 1 : 0, learns ? 1 : 0, Math.fround(params.vInitFraction),
          gradInput, gradBeta, gradThreshold, start, end],
        4,
        128 * numSteps,
      );
      if (args.learned) {
        this.copyBack(args.learned.gradBeta, gradBeta, neurons);
        this.copyBack(args.learned.gradThreshold, gradThreshold, neurons);
      }
    });
  }

  override neuron(args: Args<'neuron'>): void {
    if (args.sequence) return super.neuron(args as Parameters<CpuOps['neuron']>[0]);
    wholeRange(args.tStart, args.tCount, args.tCount);
    const { neurons, tCount: numSteps, params } = args;
    const layer = args.layer as unknown as WasmNeuronLayer;
    const { thresholds, betas } = this.neuronConstants(params, layer.learned?.vThreshold, layer.learned?.beta);
    const model = NEURON_MODELS[params.model];
    const xLength = (args.xBroadcast ? 1 : numSteps) * neurons;
    const inputs = [
      { data: args.x, length: xLength },
      { data: layer.state.v, length: neurons },
      { data: layer.state.count, length: neurons },
      { data: thresholds, length: thresholds.length },
      { data: betas, length: betas.length },
      ...(args.membrane ? [{ data: args.membrane, length: numSteps * neurons }] : []),
    ];
    this.withMemory(inputs, { data: args.spikes, length: numSteps * neurons }, [], ([x, v, count, thresholdsAt, betasAt, membrane = 0], spikes) => {
      const reset = params.reset === 'soft' ? 0 : params.reset === 'hard' ? 1 : 2;
      const leaky = model.chargeKind === 'leaky' ? 1 : 0;
      const bipolar = model.fire === 'bipolar' ? 1 : 0;
      this.memory.parallel(
        'neuron',
        neurons,
        (start, end) => [x, args.xBroadcast ? 1 : 0, numSteps, neurons, v, count, thresholdsAt, thresholds.length, betasAt, betas.length, params.channels, leaky, bipolar, reset, Math.fround(params.vReset), params.levels, spikes, membrane, start, end],
        4,
        64 * numSteps,
      );
      // State and membrane go back where they live.
      this.copyBack(layer.state.v, v, neurons);
      this.copyBack(layer.state.count, count, neurons);
      if (args.membrane) this.copyBack(args.membrane, membrane, numSteps * neurons);
    });
  }

  override poolSum(args: Args<'poolSum'>): void {
    wholeRange(args.rowStart, args.rowCount, args.shape.rows);
    const { rows, batch, positions, channels } = args.shape;
    const inputs = [
      { data: args.input, length: rows * positions * channels },
      { data: args.validPositions, length: batch * channels },
      ...(args.accumulate ? [{ data: args.output, length: rows * channels }] : []),
    ];
    this.withMemory(inputs, { data: args.output, length: rows * channels }, [], ([input, valid, accumulated], out) => {
      if (accumulated !== undefined && accumulated !== out) this.memory.f32(out, rows * channels).set(this.memory.f32(accumulated, rows * channels));
      this.memory.parallel('poolSum', rows, (start, end) => [input, rows, batch, positions, channels, valid, out, args.accumulate ? 1 : 0, start, end], 1, 32 * positions * channels);
    });
  }

  private sumGroups(input: CpuTensor, numSteps: number, outputs: number, groupSize: number, absolute: boolean, output: CpuTensor): void {
    this.withMemory([{ data: input, length: numSteps * outputs * groupSize }], { data: output, length: outputs }, [], ([at], out) => {
      this.memory.parallel('sumGroups', outputs, (start, end) => [at, numSteps, outputs, groupSize, absolute ? 1 : 0, out, start, end], 1, 32 * numSteps * groupSize);
    });
  }

  override countEvents(args: Args<'countEvents'>): void {
    this.sumGroups(args.input, args.numSteps, args.batch * args.positions, args.channels, true, args.output);
  }

  override readout(args: Args<'readout'>): void {
    this.sumGroups(args.input, args.numSteps, args.batch * args.classes, args.population, false, args.output);
  }

  override sumRows(args: Args<'sumRows'>): void {
    this.sumGroups(args.input, args.rows, args.columns, 1, false, args.output);
  }

  override activation(args: Args<'activation'>): void {
    const activation = args.activation;
    const kind = activation.kind === 'relu' ? 0 : activation.kind === 'identity' ? 1 : 2;
    const step = activation.kind !== 'quant' ? 1 : args.step ? args.step[0] : (activation as { step: number }).step;
    const levels = activation.kind === 'quant' ? activation.levels : 2;
    this.withMemory([{ data: args.input, length: args.count }], { data: args.output, length: args.count }, [], ([input], out) => {
      this.memory.parallel('activation', args.count, (start, end) => [input, out, kind, Math.fround(step), levels, start, end], 4, 16);
    });
  }

  override convWeightBackward(args: Args<'convWeightBackward'>): void {
    const { batch, tokens, inChannels, widths, filters } = args.shape;
    const positions = convPositionsOf({ ...args.shape, rows: batch });
    const channels = widths.length * filters;
    const total = widths.reduce((sum, width) => sum + width * inChannels * filters, 0);
    const inputs = [
      { data: args.input, length: batch * tokens * inChannels },
      { data: args.gradOutput, length: batch * positions * channels },
      { data: args.lengths, length: batch },
    ];
    this.withMemory(inputs, { data: args.gradWeights, length: total }, [], ([input, gradOutput, lengths], grad) => {
      let offset = 0;
      widths.forEach((width, k) => {
        const at = grad + offset * 4;
        this.memory.parallel('convWeightGrad', filters, (start, end) => [input, gradOutput, lengths, batch, tokens, inChannels, positions, channels, k * filters, width, at, start, end], 4, batch * positions * width * inChannels);
        offset += width * inChannels * filters;
      });
    });
  }

  override linearWeightBackward(args: Args<'linearWeightBackward'>): void {
    // A linear layer is a convolution of width 1 over one token per row: the same weight gradient.
    const { rows, inFeatures, outFeatures } = args.shape;
    this.convWeightBackward({ shape: { batch: rows, tokens: 1, inChannels: inFeatures, widths: [1], filters: outFeatures }, input: args.input, gradOutput: args.gradOutput, lengths: new Uint32Array(rows).fill(1), gradWeights: args.gradWeights });
    if (args.gradBias) this.sumRows({ rows, columns: outFeatures, input: args.gradOutput, output: args.gradBias });
  }

  override linearInputBackward(args: Args<'linearInputBackward'>): void {
    // dx = dy · W: the forward product of dy with Wᵀ [in][out], a convolution of width 1 per row.
    const { rows, inFeatures, outFeatures } = args.shape;
    const weights = args.weights as Float32Array;
    const transposed = new Float32Array(inFeatures * outFeatures);
    for (let o = 0; o < outFeatures; o++) for (let i = 0; i < inFeatures; i++) transposed[i * outFeatures + o] = weights[o * inFeatures + i];
    const shape: ConvShape = { rows, batch: 1, tokens: 1, inChannels: outFeatures, widths: [1], filters: inFeatures };
    this.convolve(shape, args.gradOutput, transposed, null, Uint32Array.of(1), args.gradInput);
  }

  override neuronLayer(_role: string, params: NeuronParams, neurons: number, learned?: { vThreshold: CpuTensor; beta: CpuTensor }): WasmNeuronLayer & ReturnType<CpuOps['neuronLayer']> {
    // The reference's initial state (v = fround(f·θ of the channel), count 0), one channel pattern repeated.
    const thresholds = (learned?.vThreshold as Float32Array | undefined) ?? params.vThreshold;
    const pattern = new Float32Array(thresholds.length === 1 ? 1 : params.channels);
    for (let c = 0; c < pattern.length; c++) pattern[c] = Math.fround(params.vInitFraction * thresholds[c]);
    const v = new Float32Array(neurons);
    if (pattern.length === 1) v.fill(pattern[0]);
    else for (let start = 0; start < neurons; start += pattern.length) v.set(pattern.subarray(0, Math.min(pattern.length, neurons - start)), start);
    return { params, state: { v, count: new Float32Array(neurons) }, learned };
  }

  override scaleRows(args: Args<'scaleRows'>): void {
    wholeRange(args.rowStart, args.rowCount, args.rows);
    const { rows, batch, channels } = args;
    this.withMemory([{ data: args.scale, length: batch * channels }], { data: args.values, length: rows * channels }, [], ([scale], values) => {
      if (this.memory.offsetOf(args.values) !== values) this.memory.f32(values, rows * channels).set((args.values as Float32Array).subarray(0, rows * channels));
      this.memory.parallel('scaleRows', rows, (start, end) => [values, scale, batch, channels, start, end], 1, 16 * channels);
    });
  }

  /** Copies `length` floats at `offset` into `target` unless `target` is that very memory. */
  private copyBack(target: CpuTensor, offset: number, length: number): void {
    if (this.memory.offsetOf(target) === offset) return;
    (target as Float32Array).set(this.memory.f32(offset, length));
  }

  override async read(tensors: { tensor: CpuTensor; length: number }[]): Promise<Float32Array[]> {
    const result = await super.read(tensors);
    for (const offset of this.batchOffsets) this.memory.release(offset);
    this.batchOffsets = [];
    return result;
  }

  override dispose(): void {
    for (const offset of [...this.batchOffsets, ...this.persistentOffsets]) this.memory.release(offset);
    this.batchOffsets = [];
    this.persistentOffsets = [];
    super.dispose();
  }
}
