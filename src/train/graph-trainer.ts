/**
 * Trains any network of layers, written once over `TrainOps` (CPU reference or GPU kernels), in one
 * of two modes (architecture §6.5):
 *
 * - `snn`: the spiking network, end to end, by backpropagation through time with surrogate spike
 *   derivatives. Time-major, `R = T·B` rows:
 *   ```
 *   S0 = rate(p[ids])                     [T][B][L][D]   the inference encoder's spikes (frozen table)
 *   every layer in graph order            its module's forward over all T steps
 *   r  = (1/T) Σ_t S_out[t]               [B][K]         the output spike rate
 *   L  = mean_b CE(softmax(r_b), y_b)
 *   ```
 *   The loss is the cross-entropy of the spike rate over all T steps, the quantity the readout ranks.
 * - `ann`: the ANN twin (one step, each spiking layer its `ann` activation, a quantiser's step
 *   learned as in LSQ) on a table lookup `X = table[ids]` (frozen or learned), the cross-entropy of
 *   the last layer's output: how a network is trained before its lossless conversion.
 *
 * Then every layer's backward in reverse order (each writes its parameters' gradients and its
 * inputs'), and AdamW on every parameter. Dropout may be applied to the input of one layer during
 * training. The layers know nothing of the trainer: each kind's module supplies its parameters,
 * forward and backward (`LayerModule.train`).
 */
import { minimumTokens, networkGraph, UnsupportedNetworkError, type GraphNode, type NetworkGraph } from '../layers/graph';
import { poolCounts, poolScales, positionsOf } from '../layers/shapes';
import type { TrainContext, TrainParamDecl, TrainValue, ValueShape } from '../layers/types';
import type { NetworkSpec } from '../model/spec';
import { neuronParams } from '../engine/executor';
import type { Surrogate } from '../reference/neuron-backward';
import { hashU32 } from '../reference/rng';
import type { TrainBatch } from './batches';
import type { TensorOps } from '../engine/ops';
import { poolRows } from '../layers/pool';
import { adamWSettings, readLossAndCorrect } from './ops';

/** The seed of the input spikes of optimisation step `iteration`: fresh spikes every step, the same for the same seed. */
export function iterationSeed(seed: number, iteration: number): number {
  return hashU32(hashU32(seed >>> 0) ^ hashU32((iteration + 0x51ed) >>> 0));
}

/** How one step trains. */
export interface SpikingStepSettings {
  learningRate: number;
  weightDecay: number;
  surrogate: Surrogate;
  /** Drop the gradient through the soft reset (SpikingJelly's `detach_reset`). */
  detachReset: boolean;
}

/** How one step of the ANN mode trains. */
export interface AnnStepSettings {
  learningRate: number;
  weightDecay: number;
  /** Learning rate of a learned table (often larger: rows are updated rarely). */
  tableLearningRate?: number;
}

/** What the trainer trains and how. */
export interface TrainerOptions {
  mode: 'snn' | 'ann';
  /**
   * ANN mode: the input rows `[vocab][embeddingDim]`, looked up per token; learned within [low, high]
   * when `learn` is given. SNN mode with direct (analog) input: the firing probabilities, learned
   * the same way (their gradient summed over the T steps).
   */
  table?: { values: Float32Array; learn?: { low: number; high: number; frozenColumns?: number[] } };
  /**
   * SNN mode: the loss is the cross-entropy of `rateScale ×` the output rate (default 1). With few
   * steps the rate moves in steps of 1/T; a larger scale makes the softmax as confident as the
   * counts allow. The prediction (the largest count) does not depend on it.
   */
  rateScale?: number;
  /** Dropout on the input of layer `layer` while training. */
  dropout?: { layer: string; rate: number };
}

const NO_SURROGATE: Pick<SpikingStepSettings, 'surrogate' | 'detachReset'> = { surrogate: { kind: 'piecewise-linear' }, detachReset: false };

/** Largest number of floats in one trainer tensor: 256 MiB, the engine's bound on one buffer. */
export const MAX_TENSOR_FLOATS = 64 * 1024 * 1024;

/**
 * Throws an `UnsupportedNetworkError` naming the layer when the network cannot be trained by BPTT:
 * a kind without a backward pass, a layer's own refusal (e.g. BIF neurons), a value read by
 * several layers (branches).
 */
export function checkTrainable(spec: NetworkSpec, mode: 'snn' | 'ann' = 'snn'): NetworkGraph {
  const graph = networkGraph(spec);
  const readers = new Map<number, number>();
  for (const node of graph.nodes) {
    if (!node.module.train) throw new UnsupportedNetworkError(`layer ${node.spec.name} (${node.spec.kind}) cannot be trained yet: its kind has no backward pass`);
    node.module.train.check?.(node.spec, mode);
    for (const source of node.inputs) readers.set(source, (readers.get(source) ?? 0) + 1);
  }
  for (const [source, count] of readers) {
    if (count > 1) throw new UnsupportedNetworkError(`the output of ${source < 0 ? 'the encoder' : `layer ${graph.nodes[source].spec.name}`} is read by ${count} layers; training branches is not supported yet`);
  }
  return graph;
}

/** Floats of the trainer's largest tensor for `numSteps × batch` rows of `maxTokens` tokens. */
export function largestTrainTensor(spec: NetworkSpec, numSteps: number, batch: number, maxTokens: number): number {
  const graph = networkGraph(spec);
  const tokens = Math.max(maxTokens, minimumTokens(spec));
  return Math.max(...[graph.input, ...graph.nodes.map((node) => node.shape)].map((shape) => numSteps * batch * positionsOf(shape, tokens) * shape.channels));
}

interface Param<Tensor> {
  name: string;
  /** Layer index; −1 for the input table. */
  layer: number;
  value: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
  length: number;
  decay: boolean;
  low?: number;
  high?: number;
}

/** A trainer's state between two steps (see `GraphTrainer.checkpoint`). */
export interface TrainerCheckpoint {
  adamStep: number;
  tensors: { name: string; value: Float32Array; m: Float32Array; v: Float32Array }[];
}

/** A network being trained on some ops; buffers sized once for `numSteps × maxBatch × maxTokens` and reused. */
export class GraphTrainer<Tensor> {
  readonly graph: NetworkGraph;
  readonly minLength: number;
  readonly mode: 'snn' | 'ann';
  /** Steps of a forward pass: the run's T (SNN), 1 (ANN). */
  readonly numSteps: number;
  private readonly params: Param<Tensor>[] = [];
  private readonly byName = new Map<string, Param<Tensor>>();
  private readonly buffers = new Map<string, Tensor>();
  /** SNN: firing probabilities `[vocab][dim]`; ANN: the table looked up (or its parameter). */
  private readonly inputTable: Tensor;
  private readonly table: Param<Tensor> | null = null;
  /** Output tensor of every layer (index −1: the encoder), sized for the largest batch. */
  private readonly values = new Map<number, { tensor: Tensor; capacity: number }>();
  private readonly gradients = new Map<number, Tensor>();
  private readonly dropoutNode: number;
  private readonly work: Record<'rate' | 'gradRate' | 'logits' | 'gradLogits' | 'stats' | 'dropped' | 'gradDropped' | 'gradInput' | 'gradTable', Tensor>;
  /** Output neurons per class (the readout's population). */
  private readonly population: number;
  /** `[dim]`: 0 for the table's frozen columns, 1 for the others. */
  private readonly frozenColumns: Tensor | null = null;
  private adamStep = 0;

  constructor(
    private readonly ops: TensorOps<Tensor>,
    readonly spec: NetworkSpec,
    weights: Map<string, Float32Array>,
    probabilities: Float32Array,
    numSteps: number,
    private readonly maxBatch: number,
    private readonly maxTokens: number,
    private readonly options: TrainerOptions = { mode: 'snn' },
  ) {
    this.graph = checkTrainable(spec, options.mode);
    this.mode = options.mode;
    this.numSteps = this.mode === 'ann' ? 1 : numSteps;
    this.minLength = minimumTokens(spec);
    const stored = (name: string): Float32Array => {
      const tensor = weights.get(name);
      if (!tensor) throw new Error(`The model has no weight tensor ${name}.`);
      return tensor;
    };
    const addParam = (decl: TrainParamDecl, layer: number): Param<Tensor> => {
      const param: Param<Tensor> = {
        name: decl.name,
        layer,
        value: ops.persistent(decl.name, decl.value),
        grad: ops.persistent(`${decl.name}.grad`, new Float32Array(decl.value.length)),
        m: ops.persistent(`${decl.name}.m`, new Float32Array(decl.value.length)),
        v: ops.persistent(`${decl.name}.v`, new Float32Array(decl.value.length)),
        length: decl.value.length,
        decay: decl.decay,
        low: decl.low,
        high: decl.high,
      };
      this.params.push(param);
      this.byName.set(decl.name, param);
      return param;
    };
    for (const node of this.graph.nodes) {
      for (const decl of node.module.train!.params(node.spec, stored, this.mode)) addParam(decl, node.index);
    }
    if (this.mode === 'ann' && !options.table) throw new Error('The ANN mode reads its input from a table: give options.table.');
    if (this.mode === 'snn' && options.table?.learn && spec.encoder.kind !== 'direct') {
      throw new UnsupportedNetworkError('a spiking network learns its input table through direct (analog) input only; this encoder is rate');
    }
    if (options.table) {
      const { values, learn } = options.table;
      if (learn) this.table = addParam({ name: 'table', value: values, decay: false, low: learn.low, high: learn.high }, -1);
      if (learn?.frozenColumns?.length) {
        const mask = new Float32Array(spec.encoder.embeddingDim).fill(1);
        for (const column of learn.frozenColumns) mask[column] = 0;
        this.frozenColumns = ops.persistent('table.frozenColumns', mask);
      }
      this.inputTable = this.table ? this.table.value : ops.persistent('table', values);
    } else {
      this.inputTable = ops.persistent('probabilities', probabilities);
    }
    this.population = spec.readout.population;
    this.dropoutNode = options.dropout ? this.graph.nodes.findIndex((node) => node.spec.name === options.dropout!.layer) : -1;
    if (options.dropout && this.dropoutNode < 0) throw new Error(`No layer ${options.dropout.layer} to apply dropout to.`);
    const tokens = Math.max(maxTokens, this.minLength);
    const capacityOf = (shape: ValueShape) => {
      const floats = this.numSteps * maxBatch * positionsOf(shape, tokens) * shape.channels;
      if (floats > MAX_TENSOR_FLOATS) {
        throw new RangeError(`T × batch × positions × channels = ${floats} floats per tensor exceeds ${MAX_TENSOR_FLOATS}; lower the steps, the batch or the longest sentence`);
      }
      return Math.max(1, floats);
    };
    const zeros = (role: string, length: number) => ops.persistent(role, new Float32Array(Math.max(1, length)));
    for (const [index, shape] of [[-1, this.graph.input] as const, ...this.graph.nodes.map((node) => [node.index, node.shape] as const)]) {
      const capacity = capacityOf(shape);
      const name = index < 0 ? 'input' : this.graph.nodes[index].spec.name;
      this.values.set(index, { tensor: zeros(`${name}.output`, capacity), capacity });
      // The gradient of each layer's output, and of the input when the table is learned.
      if (index >= 0) this.gradients.set(index, zeros(`${name}.grad`, capacity));
    }
    if (this.table) this.gradients.set(-1, zeros('input.grad', capacityOf(this.graph.input)));
    const outputs = this.outputs();
    const dropped = this.dropoutNode >= 0 ? capacityOf(this.shapeOf(this.graph.nodes[this.dropoutNode].inputs[0])) : 1;
    const population = this.population > 1;
    this.work = {
      rate: zeros('rate', maxBatch * outputs),
      gradRate: zeros('gradRate', maxBatch * outputs),
      logits: zeros('logits', population ? maxBatch * this.classes() : 1),
      gradLogits: zeros('gradLogits', population ? maxBatch * this.classes() : 1),
      stats: zeros('stats', maxBatch * 2),
      dropped: zeros('dropped', dropped),
      gradDropped: zeros('gradDropped', dropped),
      gradInput: zeros('gradInputUnused', 1),
      // The table's gradient per token, summed over the steps (SNN mode with a learned table).
      gradTable: this.table && this.numSteps > 1 ? zeros('gradTableInput', capacityOf(this.graph.input) / this.numSteps) : zeros('gradTableUnused', 1),
    };
  }

  /** Output neurons: classes × population. */
  private outputs(): number {
    return this.graph.nodes[this.graph.nodes.length - 1].shape.channels;
  }

  private classes(): number {
    return this.outputs() / this.population;
  }

  private shapeOf(value: number): ValueShape {
    return value < 0 ? this.graph.input : this.graph.nodes[value].shape;
  }

  private value(index: number, tokens: number): TrainValue<Tensor> {
    const { tensor, capacity } = this.values.get(index)!;
    const shape = this.shapeOf(index);
    return { tensor, shape, capacity, positions: positionsOf(shape, tokens) };
  }

  /** The context of the layers for one batch: per-batch tables are uploaded once and shared. */
  private context(batch: TrainBatch, settings: Pick<SpikingStepSettings, 'surrogate' | 'detachReset'>): TrainContext<Tensor> {
    const { ops, numSteps: T } = this;
    const B = batch.batch;
    const tables = new Map<string, Tensor>();
    const table = (key: string, make: () => Float32Array | Uint32Array): Tensor => {
      let tensor = tables.get(key);
      if (!tensor) tables.set(key, (tensor = ops.upload(key, make())));
      return tensor;
    };
    return {
      ops,
      mode: this.mode,
      numSteps: T,
      batch: B,
      rows: T * B,
      surrogate: settings.surrogate,
      detachReset: settings.detachReset,
      param: (name) => {
        const param = this.byName.get(name);
        if (!param) throw new Error(`No trainable tensor ${name}.`);
        return param;
      },
      work: (key, length) => {
        let tensor = this.buffers.get(key);
        if (!tensor) this.buffers.set(key, (tensor = ops.persistent(key, new Float32Array(Math.max(1, length)))));
        return tensor;
      },
      rowLengths: (shape) =>
        table(`lengths:${shape.maxSpan}`, () => {
          const lengths = new Uint32Array(T * B);
          for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) lengths[t * B + b] = Math.max(0, batch.lengths[b] - shape.maxSpan + 1);
          return lengths;
        }),
      poolTables: (shape, mode) => {
        const key = `${mode}:${shape.spans.join(',')}`;
        // The same table for every step: the rows are time-major.
        const counts = () => poolCounts(shape, Array.from({ length: T * B }, (_, row) => batch.lengths[row % B]));
        return { valid: table(`valid:${key}`, counts), scale: table(`scale:${key}`, () => poolScales(counts(), mode)) };
      },
      neuronParams: (neuron, channels) => neuronParams(neuron, channels),
    };
  }

  /**
   * Records the forward pass up to the output (the rate over T, or the ANN's logits). SNN: the input
   * spikes of `seed`, from random stream 0 for every sample (as inference draws them) or from stream
   * b for the sample in slot b. ANN: the table rows; dropout (when training) with `seed` and `iteration`.
   */
  private forward(batch: TrainBatch, run: { seed: number; iteration: number; training: boolean; streams: 'inference' | 'per-sample' }, settings: Pick<SpikingStepSettings, 'surrogate' | 'detachReset'>) {
    const { ops, numSteps: T } = this;
    if (batch.batch > this.maxBatch || batch.tokens > Math.max(this.maxTokens, this.minLength)) {
      throw new RangeError(`batch ${batch.batch} × ${batch.tokens} tokens exceeds the trainer's ${this.maxBatch} × ${this.maxTokens}`);
    }
    const B = batch.batch;
    const K = this.classes();
    const ctx = this.context(batch, settings);
    const dim = this.graph.input.channels;
    const tokenIds = ops.upload('tokenIds', batch.tokenIds);
    const input = this.values.get(-1)!.tensor;
    const streamIds = ops.upload('streamIds', run.streams === 'inference' ? new Uint32Array(B) : Uint32Array.from({ length: B }, (_, b) => b));
    const shape = { numSteps: T, batch: B, tokens: batch.tokens, dim };
    // ANN: the table's rows (a direct encoding of one step); SNN: the model's encoding over all T steps.
    const kind = this.mode === 'ann' ? 'direct' : this.spec.encoder.kind;
    const firstStepOnly = this.mode === 'snn' && this.spec.encoder.presentation === 'first-step';
    ops.encode({ kind, seed: run.seed, shape, tStart: 0, tCount: T, positionOffset: 0, tokenIds, probabilities: this.inputTable, streamIds, output: input, firstStepOnly });
    const dropout = run.training && this.options.dropout && this.options.dropout.rate > 0 ? this.options.dropout : null;
    for (const node of this.graph.nodes) {
      const inputs = this.inputsOf(node, batch.tokens);
      if (dropout && node.index === this.dropoutNode) {
        const count = T * B * inputs[0].positions * inputs[0].shape.channels;
        ops.dropout({ count, rate: dropout.rate, seed: run.seed, iteration: run.iteration, input: inputs[0].tensor, output: this.work.dropped });
        inputs[0] = { ...inputs[0], tensor: this.work.dropped };
      }
      node.module.train!.forward(ctx, node.spec, inputs, this.value(node.index, batch.tokens));
    }
    const last = this.values.get(this.graph.nodes.length - 1)!.tensor;
    if (this.mode === 'ann') return { ctx, B, K, logits: last, rate: null, dropout };
    // The rate is a pool over the steps: batch 1, positions T, channels B·K·population, each scaled
    // by 1/T; then a population's rates are averaged (a pool over its neurons); `rateScale` applied once.
    const P = this.population;
    const scale = this.options.rateScale ?? 1;
    const outputs = B * K * P;
    const rateValid = ops.upload('rateValid', new Uint32Array(outputs).fill(T));
    const rateScale = ops.upload('rateScale', new Float32Array(outputs).fill(Math.fround((P > 1 ? 1 : scale) / T)));
    poolRows(ops, 1, T, outputs, last, rateValid, rateScale, this.work.rate);
    if (P === 1) return { ctx, B, K, logits: this.work.rate, rate: { rateValid, rateScale, population: null }, dropout };
    const populationValid = ops.upload('populationValid', new Uint32Array(B * K).fill(P));
    const populationScale = ops.upload('populationScale', new Float32Array(B * K).fill(Math.fround(scale / P)));
    poolRows(ops, B * K, P, 1, this.work.rate, populationValid, populationScale, this.work.logits);
    return { ctx, B, K, logits: this.work.logits, rate: { rateValid, rateScale, population: { populationValid, populationScale } }, dropout };
  }

  private inputsOf(node: GraphNode, tokens: number): TrainValue<Tensor>[] {
    return node.inputs.map((source) => this.value(source, tokens));
  }

  /**
   * One optimisation step (forward, backward, AdamW on every parameter), one command buffer; returns
   * the batch's summed loss and correct predictions (before the update). SNN: the input spikes are
   * those of `iterationSeed(seed, iteration)`, each sample drawing from its own stream: with one
   * stream, every sentence of the batch would see the same draws at the same (position, component,
   * step), and the noise of one draw would bias the whole batch's gradient the same way.
   */
  async trainStep(batch: TrainBatch, iteration: number, seed: number, settings: SpikingStepSettings | AnnStepSettings): Promise<{ loss: number; correct: number }> {
    const { ops, work, numSteps: T } = this;
    const surrogate = 'surrogate' in settings ? settings : NO_SURROGATE;
    const run = this.mode === 'snn' ? { seed: iterationSeed(seed, iteration), iteration, training: true, streams: 'per-sample' as const } : { seed, iteration, training: true, streams: 'inference' as const };
    const { ctx, B, K, logits, rate, dropout } = this.forward(batch, run, surrogate);
    const last = this.graph.nodes.length - 1;
    const labels = ops.upload('labels', batch.labels);
    if (rate) {
      const P = this.population;
      const population = rate.population;
      ops.crossEntropy({ batch: B, classes: K, gradScale: 1 / B, logits, labels, gradLogits: population ? work.gradLogits : work.gradRate, stats: work.stats });
      if (population) {
        ops.poolBackward({ batch: B * K, positions: P, channels: 1, gradOutput: work.gradLogits, validPositions: population.populationValid, scale: population.populationScale, gradInput: work.gradRate });
      }
      ops.poolBackward({ batch: 1, positions: T, channels: B * K * P, gradOutput: work.gradRate, validPositions: rate.rateValid, scale: rate.rateScale, gradInput: this.gradients.get(last)! });
    } else {
      ops.crossEntropy({ batch: B, classes: K, gradScale: 1 / B, logits, labels, gradLogits: this.gradients.get(last)!, stats: work.stats });
    }
    for (const node of [...this.graph.nodes].reverse()) {
      // The encoder's output needs a gradient only when the table is learned.
      const gradInputs = node.inputs.map((source) => this.gradients.get(source) ?? null);
      const inputs = this.inputsOf(node, batch.tokens);
      const dropped = dropout && node.index === this.dropoutNode;
      if (dropped) inputs[0] = { ...inputs[0], tensor: work.dropped };
      const into = dropped && gradInputs[0] ? [work.gradDropped, ...gradInputs.slice(1)] : gradInputs;
      node.module.train!.backward(ctx, node.spec, inputs, this.value(node.index, batch.tokens), this.gradients.get(node.index)!, into);
      if (dropped && gradInputs[0]) {
        const count = T * B * inputs[0].positions * inputs[0].shape.channels;
        ops.dropout({ count, rate: dropout.rate, seed: run.seed, iteration: run.iteration, input: work.gradDropped, output: gradInputs[0] });
      }
    }
    if (this.table) {
      const dim = this.graph.input.channels;
      // The gradient of each token's row, summed over the steps that read it.
      const gradInput: Tensor = T > 1 ? work.gradTable : this.gradients.get(-1)!;
      if (T > 1) ops.sumRows({ rows: T, columns: B * batch.tokens * dim, input: this.gradients.get(-1)!, output: gradInput });
      ops.clear(this.table.grad, this.table.length);
      ops.embeddingBackward({ groups: batch.groups, dim, gradInput, gradTable: this.table.grad });
      // Columns that stay as they are (e.g. the presence component) get no gradient.
      if (this.frozenColumns) ops.scaleRows({ rows: this.table.length / dim, rowStart: 0, rowCount: this.table.length / dim, batch: 1, channels: dim, values: this.table.grad, scale: this.frozenColumns });
    }
    this.adamStep++;
    for (const param of this.params) {
      const learningRate = param === this.table ? ((settings as AnnStepSettings).tableLearningRate ?? settings.learningRate) : settings.learningRate;
      const adam = adamWSettings({ learningRate, weightDecay: param.decay ? settings.weightDecay : 0, step: this.adamStep, low: param.low, high: param.high });
      ops.adamW({ count: param.length, settings: adam, param: param.value, grad: param.grad, m: param.m, v: param.v });
    }
    return readLossAndCorrect(ops, work.stats, B);
  }

  /**
   * Output spike rates `[batch][classes]` of a batch (a population's averaged, times `rateScale`); the
   * input spikes are those the engine draws for `seed`, unless `streams` is `per-sample`.
   */
  async outputRates(batch: TrainBatch, seed: number, streams: 'inference' | 'per-sample' = 'inference'): Promise<Float32Array> {
    if (this.mode !== 'snn') throw new Error('outputRates is for the SNN mode; use logits');
    const { logits } = this.forward(batch, { seed, iteration: 0, training: false, streams }, NO_SURROGATE);
    const [rate] = await this.ops.read([{ tensor: logits, length: batch.batch * this.classes() }]);
    return rate;
  }

  /** ANN mode: the logits `[batch][classes]` of a batch, without dropout. */
  async logits(batch: TrainBatch): Promise<Float32Array> {
    return (await this.outputsOf(batch, [this.graph.nodes[this.graph.nodes.length - 1].spec.name]))[0];
  }

  /** The outputs of the named layers for a batch (forward without dropout): `[steps][batch][positions][channels]` each. */
  async outputsOf(batch: TrainBatch, layers: string[]): Promise<Float32Array[]> {
    this.forward(batch, { seed: 0, iteration: 0, training: false, streams: 'inference' }, NO_SURROGATE);
    const reads = layers.map((name) => {
      const node = this.graph.nodes.find((n) => n.spec.name === name);
      if (!node) throw new Error(`No layer ${name}.`);
      return { tensor: this.values.get(node.index)!.tensor, length: this.numSteps * batch.batch * positionsOf(node.shape, batch.tokens) * node.shape.channels };
    });
    return this.ops.read(reads);
  }

  /** Overwrites a trainable tensor (e.g. a calibrated quantiser step). */
  setParam(name: string, value: Float32Array): void {
    const param = this.byName.get(name);
    if (!param || param.length !== value.length) throw new Error(`No trainable tensor ${name} of ${value.length} values.`);
    this.ops.write(param.value, value);
  }

  /**
   * Everything an optimiser step depends on: every trainable tensor with its two AdamW moments, and
   * the step count. Restored into a trainer of the same network (`restore`), training goes on
   * exactly as if it had never stopped (a checkpoint of the browser's training is this).
   */
  async checkpoint(): Promise<TrainerCheckpoint> {
    const reads = this.params.flatMap((param) => [param.value, param.m, param.v].map((tensor) => ({ tensor, length: param.length })));
    const data = await this.ops.read(reads);
    return { adamStep: this.adamStep, tensors: this.params.map((param, i) => ({ name: param.name, value: data[3 * i], m: data[3 * i + 1], v: data[3 * i + 2] })) };
  }

  /** Puts a `checkpoint` back; its tensors must be this network's, name for name and size for size. */
  restore(checkpoint: TrainerCheckpoint): void {
    if (checkpoint.tensors.length !== this.params.length) throw new Error(`the checkpoint holds ${checkpoint.tensors.length} tensors; this network trains ${this.params.length}`);
    checkpoint.tensors.forEach((saved, i) => {
      const param = this.params[i];
      if (saved.name !== param.name || saved.value.length !== param.length || saved.m.length !== param.length || saved.v.length !== param.length) {
        throw new Error(`the checkpoint's tensor ${saved.name} (${saved.value.length} values) does not match ${param.name} (${param.length})`);
      }
    });
    checkpoint.tensors.forEach((saved, i) => {
      const param = this.params[i];
      this.ops.write(param.value, saved.value);
      this.ops.write(param.m, saved.m);
      this.ops.write(param.v, saved.v);
    });
    this.adamStep = checkpoint.adamStep;
  }

  /** Trainable tensors by their training names (the layout their ops read), read back. */
  async paramValues(): Promise<Map<string, Float32Array>> {
    const data = await this.ops.read(this.params.map((param) => ({ tensor: param.value, length: param.length })));
    return new Map(this.params.map((param, i) => [param.name, data[i]]));
  }

  /** The trained tensors by their stored names (as in weights.safetensors), read back. */
  async weights(): Promise<Map<string, Float32Array>> {
    return this.storedTensors((param) => param.value);
  }

  /** The last step's gradients by the stored names of their tensors (for tests). */
  async gradientsByName(): Promise<Map<string, Float32Array>> {
    return this.storedTensors((param) => param.grad);
  }

  /** The network with the trained values of parameters that model.json holds (learned leaks and thresholds). */
  async trainedSpec(): Promise<NetworkSpec> {
    const values = await this.paramValues();
    const layers = this.graph.nodes.map((node) => node.module.train!.trainedSpec?.(node.spec, (name) => values.get(name)) ?? node.spec);
    return { ...this.spec, layers: layers as NetworkSpec['layers'] };
  }

  private async storedTensors(pick: (param: Param<Tensor>) => Tensor): Promise<Map<string, Float32Array>> {
    const layerParams = this.params.filter((param) => param.layer >= 0);
    const data = await this.ops.read(layerParams.map((param) => ({ tensor: pick(param), length: param.length })));
    const values = new Map(layerParams.map((param, i) => [param.name, data[i]]));
    const out = new Map<string, Float32Array>();
    for (const node of this.graph.nodes) {
      const training = node.module.train!;
      const value = (name: string) => values.get(name)!;
      const names = layerParams.filter((param) => param.layer === node.index).map((param) => param.name);
      const stored = training.stored ? training.stored(node.spec, value) : names.map((name): [string, Float32Array] => [name, value(name)]);
      for (const [name, tensor] of stored) out.set(name, tensor);
    }
    return out;
  }
}
