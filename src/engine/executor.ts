/**
 * Runs a network over a batch with any backend's tensor ops (architecture §6). It walks the graph
 * of layers through their modules and knows no layer kind by name:
 *
 * 1. Positional layers (and the reducers that pool them) run chunk by chunk of positions, so that
 *    long texts fit the buffers. Each (position, channel) is its own neuron and the RNG is keyed by
 *    absolute position, so chunks give exactly the unchunked result; a sequential layer carries its
 *    state from one chunk into the next, and reducers accumulate.
 * 2. Flat layers (after the pool) run once, then the readout.
 *
 * Direct input presented at every step is the same current at every step: in a fused run the
 * encoder and the stateless layers after it compute it once (a static value of one step) and the
 * first spiking layer reads it at every step. Every run of `runs` (e.g. the SNN and its ANN twin) is
 * recorded before anything is read: on the GPU they share one command buffer (more for very long
 * texts, flushed between chunks) and one read-back.
 */
import { networkGraph, type GraphNode, type NetworkGraph } from '../layers/graph';
import { poolCounts, positionsOf } from '../layers/shapes';
import type { InputValue, OutputValue, RecordContext, ValueShape } from '../layers/types';
import type { NetworkSpec, NeuronSpec } from '../model/spec';
import type { NeuronParams } from '../reference/neuron';
import { positionChunks, type PositionChunk, type PreparedBatch } from './batch';
import type { TensorOps } from './ops';
import type { NeuronOverrides, RecordRequest } from './types';
import { CancelledError } from './errors';

/** Model data already on the backend (uploaded once per model, not per inference). */
export interface ResidentModel<Tensor> {
  spec: NetworkSpec;
  /** Firing probability of every vocabulary word's components, `[vocab][dim]`. */
  probabilities: Tensor;
  weights: Map<string, Tensor>;
}

export interface ExecuteOptions {
  /** `snn`: neurons over `numSteps`; `ann`: the twin, one step of direct input, activations for neurons. */
  mode: 'snn' | 'ann';
  numSteps: number;
  encoding: 'rate' | 'direct';
  seed: number;
  neurons?: NeuronOverrides;
  record?: RecordRequest;
  stepMode?: 'fused' | 'per-step';
  /** Largest number of output positions computed at once (bounds buffer sizes for long texts). */
  maxChunkPositions: number;
}

/** What one execution measured, per batch. */
export interface RawOutput {
  numSteps: number;
  batch: number;
  /** Padded token length of the batch. */
  tokens: number;
  /** `[batch][classes]` summed output spikes (SNN) or output activations (ANN). */
  scores: Float32Array;
  /** `[numSteps][batch][outputs]` the last layer's spikes or activations. */
  outputTrain: Float32Array;
  /** `[batch][tokens]` encoder spike events per token position. */
  inputEvents: Float32Array;
  /**
   * Per spiking layer index: `[batch][positions]` spike events (positional layers, with the
   * layer's own positions for the padded length, `positionsOf(shape, tokens)`) or `[batch]` (flat).
   */
  layerEvents: Map<number, Float32Array>;
  /** Per recorded layer name: per sample `[numSteps][positions][channels]`. */
  spikeTrains: Map<string, { positions: number; channels: number; samples: Float32Array[] }>;
  /** Recorded membrane traces, per sample. */
  membrane: { layer: string; neuron: number; vThreshold: number; samples: Float32Array[] }[];
  /** Encoder output per sample `[numSteps][tokens][dim]`, when recorded. */
  inputTrain?: Float32Array[];
}

/** A tensor to read back at the end of the run, and where its values go. */
interface Readback<Tensor> {
  tensor: Tensor;
  length: number;
  consume(data: Float32Array): void;
}

/** Neuron parameters of a layer with the run's overrides applied. */
export function neuronParams(layer: NeuronSpec, channels: number, overrides: NeuronOverrides = {}): NeuronParams {
  const scale = overrides.thresholdScale ?? 1;
  return {
    model: overrides.model ?? layer.model,
    reset: overrides.reset ?? layer.reset,
    vThreshold: Float32Array.from(layer.vThreshold, (v) => v * scale),
    channels,
    beta: overrides.beta ?? (Array.isArray(layer.beta) ? layer.beta[0] : layer.beta),
    ...(overrides.beta === undefined && Array.isArray(layer.beta) && layer.beta.length > 1 ? { betas: Float32Array.from(layer.beta) } : {}),
    vReset: layer.vReset,
    vInitFraction: layer.vInitFraction,
    levels: layer.levels,
  };
}

type Trace = RawOutput['membrane'][number];

/** One run over the graph: sizes, per-value step counts, state, and the read-backs it registers. */
class GraphWalk<Tensor, NeuronState> {
  readonly graph: NetworkGraph;
  readonly ann: boolean;
  readonly numSteps: number;
  readonly encoding: 'rate' | 'direct';
  readonly B: number;
  /** Time ranges of the dispatches: one `[0, T]` (fused) or one per step. */
  readonly ranges: [number, number][];
  /** Steps each value holds (index −1 … nodes): 1 for a static input, else numSteps. */
  private readonly steps: Map<number, number>;
  readonly readbacks: Readback<Tensor>[] = [];
  readonly out: RawOutput;
  private readonly record: RecordRequest;
  private readonly membraneRequests: Map<string, number[]>;
  private readonly runTensors = new Map<string, Tensor>();
  private readonly states = new Map<string, NeuronState>();
  private readonly uploads = new Map<string, Tensor>();
  private readonly traces = new Map<number, Trace[]>();

  constructor(
    readonly ops: TensorOps<Tensor, NeuronState>,
    readonly model: ResidentModel<Tensor>,
    readonly batch: PreparedBatch,
    readonly options: ExecuteOptions,
  ) {
    this.graph = networkGraph(model.spec);
    this.ann = options.mode === 'ann';
    this.numSteps = this.ann ? 1 : options.numSteps;
    this.encoding = this.ann ? 'direct' : options.encoding;
    this.record = this.ann ? {} : (options.record ?? {});
    this.B = batch.batch;
    // A sequential layer needs all steps of a position before the next one: it runs fused.
    const perStep = options.stepMode === 'per-step' && ops.supportsStepRanges && !this.graph.sequential;
    this.ranges = perStep ? Array.from({ length: this.numSteps }, (_, t) => [t, 1]) : [[0, this.numSteps]];
    const staticInput = !this.ann && this.encoding === 'direct' && model.spec.encoder.presentation !== 'first-step' && !perStep;
    this.steps = (staticInput && this.staticSteps()) || new Map([-1, ...this.graph.nodes.map((node) => node.index)].map((v) => [v, this.numSteps]));
    this.membraneRequests = new Map((this.record.membrane ?? []).map((request) => [request.layer, request.neurons]));
    this.out = {
      numSteps: this.numSteps,
      batch: this.B,
      tokens: batch.tokens,
      scores: new Float32Array(0),
      outputTrain: new Float32Array(0),
      inputEvents: new Float32Array(this.B * batch.tokens),
      layerEvents: new Map(),
      spikeTrains: new Map(),
      membrane: [],
    };
  }

  /**
   * Steps per value when the encoder's output is static: stateless layers keep it static, the
   * spiking layers that read it broadcast it. Null when some layer cannot take it (then every
   * value runs all steps), or when no layer broadcasts it.
   */
  private staticSteps(): Map<number, number> | null {
    const steps = new Map<number, number>([[-1, 1]]);
    let broadcast = false;
    for (const node of this.graph.nodes) {
      const inputs = node.inputs.map((source) => steps.get(source)!);
      if (inputs.every((s) => s === this.numSteps)) steps.set(node.index, this.numSteps);
      else if (inputs.some((s) => s === this.numSteps)) return null;
      else if (node.module.staticInput === 'propagate') steps.set(node.index, 1);
      else if (node.module.staticInput === 'broadcast') {
        steps.set(node.index, this.numSteps);
        broadcast = true;
      } else return null;
    }
    return broadcast ? steps : null;
  }

  shapeOf(value: number): ValueShape {
    return value < 0 ? this.graph.input : this.graph.nodes[value].shape;
  }

  stepsOf(value: number): number {
    return this.steps.get(value)!;
  }

  weight(name: string): Tensor {
    const tensor = this.model.weights.get(name);
    if (tensor === undefined) throw new Error(`The model has no weight tensor ${name}.`);
    return tensor;
  }

  runTensor(key: string, length: number): Tensor {
    let tensor = this.runTensors.get(key);
    if (!tensor) this.runTensors.set(key, (tensor = this.ops.allocate(key, length)));
    return tensor;
  }

  neuronState(key: string, params: NeuronParams, neurons: number): NeuronState {
    let state = this.states.get(key);
    if (!state) this.states.set(key, (state = this.ops.neuronLayer(key, params, neurons)));
    return state;
  }

  upload(key: string, data: Float32Array | Uint32Array): Tensor {
    let tensor = this.uploads.get(key);
    if (!tensor) this.uploads.set(key, (tensor = this.ops.upload(key, data)));
    return tensor;
  }

  recordsInputTrain(): boolean {
    return this.record.input === true;
  }

  recordsSpikes(layer: string): boolean {
    return (this.record.spikeLayers ?? []).includes(layer);
  }

  /** The membrane traces asked for in spiking layer `node` (registered once), or none. */
  tracesOf(node: GraphNode): Trace[] {
    let traces = this.traces.get(node.index);
    if (traces) return traces;
    const neuron = node.module.neuron?.(node.spec);
    const channels = node.shape.channels;
    traces = [];
    if (neuron && !this.ann) {
      const params = neuronParams(neuron, channels, this.options.neurons);
      // A sequence layer's neuron is a channel that runs through the whole sentence: its trace has
      // every position's window of T steps, one after the other.
      const length = node.module.alongSentence ? positionsOf(node.shape, this.batch.tokens) * this.numSteps : this.numSteps;
      traces = (this.membraneRequests.get(node.spec.name) ?? []).map((index) => ({
        layer: node.spec.name,
        neuron: index,
        vThreshold: params.vThreshold.length === 1 ? params.vThreshold[0] : params.vThreshold[index % channels],
        samples: range(this.B).map(() => new Float32Array(length)),
      }));
      this.out.membrane.push(...traces);
    }
    this.traces.set(node.index, traces);
    return traces;
  }

  /** The chunks of positions the positional layers run in (architecture §6.3). */
  chunks(): PositionChunk[] {
    const totalPositions = Math.max(1, this.batch.tokens - this.graph.chunkSpan + 1);
    return positionChunks(totalPositions, this.batch.tokens, this.options.maxChunkPositions, this.graph.maxSpan);
  }

  /** How many chunks `recordWalk` reports on (one run of a single chunk reports none). */
  chunkCount(): number {
    const count = this.chunks().length;
    return count > 1 ? count : 0;
  }

  /** A context for the layers of one range of steps in one chunk (`chunk` null: flat layers). */
  context(tStart: number, tCount: number, chunk: ChunkFrame<Tensor> | null): RecordContext<Tensor, NeuronState> {
    const scope = chunk ? `chunk${chunk.index}.` : '';
    return {
      ops: this.ops,
      ann: this.ann,
      batch: this.B,
      numSteps: this.numSteps,
      tStart,
      tCount,
      chunkIndex: chunk?.index ?? 0,
      sampleLengths: this.batch.lengths,
      weight: (name) => this.weight(name),
      neuronParams: (neuron, channels) => neuronParams(neuron, channels, this.options.neurons),
      neuronState: (key, params, neurons) => this.neuronState(`${scope}${key}`, params, neurons),
      runNeuronState: (key, params, neurons) => this.neuronState(`run.${key}`, params, neurons),
      runTensor: (key, length) => this.runTensor(key, length),
      scratch: (key, length) => this.runTensor(`${scope}scratch.${key}`, length),
      validLengths: (shape) => this.chunkTensor(chunk, 'validLengths', shape),
      validPositions: (shape) => this.chunkTensor(chunk, 'validPositions', shape),
      sequenceValid: (shape) => this.chunkTensor(chunk, 'sequenceValid', shape),
      upload: (key, data) => this.upload(key, data),
    };
  }

  /** Per-sample validity of `shape`'s positions in a chunk, uploaded once per chunk and shape. */
  private chunkTensor(chunk: ChunkFrame<Tensor> | null, what: 'validLengths' | 'validPositions' | 'sequenceValid', shape: ValueShape): Tensor {
    if (!chunk) throw new Error(`${what} is only defined for positional layers`);
    const key = `${what}:${shape.spans.join(',')}`;
    let tensor = chunk.tensors.get(key);
    if (tensor) return tensor;
    const computed = chunk.positions(shape);
    const owned = chunk.owned(shape);
    const relative = Array.from(this.batch.lengths, (length) => Math.max(0, Math.min(chunk.tokens, length - chunk.chunk.tokenStart)));
    let data: Uint32Array;
    if (what === 'validPositions') {
      data = poolCounts(shape, relative, owned);
    } else {
      const cap = what === 'validLengths' ? computed : owned;
      data = Uint32Array.from(relative, (length) => Math.max(0, Math.min(cap, length - shape.maxSpan + 1)));
    }
    tensor = this.ops.upload(`chunk${chunk.index}.${key}`, data);
    chunk.tensors.set(key, tensor);
    return tensor;
  }
}

/** One chunk of positions as the walk sees it. */
interface ChunkFrame<Tensor> {
  index: number;
  chunk: PositionChunk;
  last: boolean;
  /** Tokens the chunk reads. */
  tokens: number;
  /** Positions of a value computed in this chunk. */
  positions(shape: ValueShape): number;
  /** Positions of a value this chunk owns (from `chunk.start`). */
  owned(shape: ValueShape): number;
  tensors: Map<string, Tensor>;
}

function chunkFrame<Tensor>(chunk: PositionChunk, index: number, last: boolean, totalTokens: number): ChunkFrame<Tensor> {
  const tokens = chunk.tokenEnd - chunk.tokenStart;
  return {
    index,
    chunk,
    last,
    tokens,
    positions: (shape) => positionsOf(shape, tokens),
    owned: (shape) => {
      const total = positionsOf(shape, totalTokens);
      return Math.max(0, (last ? total : Math.min(chunk.end, total)) - chunk.start);
    },
    tensors: new Map(),
  };
}

/**
 * How a caller follows and stops a long run: between two chunks of positions the run reports its
 * progress, lets other messages in (a newer request, a cancel) and stops with `CancelledError` once
 * `signal` has fired. Without it the chunks run back to back.
 */
export interface RunControl {
  signal?: AbortSignal;
  /** Chunks of positions recorded so far, of `total` (both runs, the SNN's and the ANN twin's). */
  onChunk?: (done: number, total: number) => void;
}

/** Records every positional layer and reducer, chunk by chunk, then the flat layers and the readout. */
async function recordWalk<Tensor, NeuronState>(walk: GraphWalk<Tensor, NeuronState>, control: RunControl | undefined, progress: { done: number; total: number }): Promise<void> {
  const { ops, graph, B, numSteps, batch, ann, out } = walk;
  const positional = graph.nodes.filter((node) => node.shape.positional || node.module.reduces);
  const flat = graph.nodes.filter((node) => !node.shape.positional && !node.module.reduces);
  const dim = graph.input.channels;
  const chunks = walk.chunks();
  const frames = chunks.map((chunk, i) => chunkFrame<Tensor>(chunk, i, i === chunks.length - 1, batch.tokens));
  const largest = frames[0];
  const recordedInput = !ann && walk.recordsInputTrain();
  // Outputs of reducers live for the whole run; other positional values are shared by the chunks
  // unless their contents are read back (recorded trains and membranes get a buffer per chunk).
  const values = new Map<number, Tensor>();
  const sizeOf = (value: number, positions: number) => Math.max(1, walk.stepsOf(value) * B * positions * walk.shapeOf(value).channels);
  const shared = (value: number, name: string, recorded: boolean): Tensor | null =>
    recorded ? null : ops.allocate(`${name}.output`, sizeOf(value, largest.positions(walk.shapeOf(value))));
  const sharedInput = shared(-1, 'encoded', recordedInput);
  const sharedOutputs = new Map(positional.map((node) => [node.index, node.module.reduces ? null : shared(node.index, node.spec.name, walk.recordsSpikes(node.spec.name))]));
  for (const node of positional.filter((n) => n.module.reduces)) values.set(node.index, ops.allocate(`${node.spec.name}.output`, numSteps * B * node.shape.channels));
  registerRecordings(walk, positional);
  if (recordedInput) out.inputTrain = range(B).map(() => new Float32Array(numSteps * batch.tokens * dim));

  for (const frame of frames) {
    const inputs = chunkInputs(walk, frame);
    const chunkValues = new Map<number, Tensor>();
    const tensorOf = (value: number): Tensor => chunkValues.get(value) ?? values.get(value)!;
    chunkValues.set(-1, sharedInput ?? ops.allocate(`chunk${frame.index}.encoded`, sizeOf(-1, frame.tokens)));
    const membranes = new Map<number, Tensor>();
    for (const node of positional) {
      if (node.module.reduces) continue;
      const positions = frame.positions(node.shape);
      chunkValues.set(node.index, sharedOutputs.get(node.index) ?? ops.allocate(`chunk${frame.index}.${node.spec.name}.output`, sizeOf(node.index, positions)));
      if (walk.tracesOf(node).length > 0) membranes.set(node.index, ops.allocate(`chunk${frame.index}.${node.spec.name}.membrane`, Math.max(1, numSteps * B * positions * node.shape.channels)));
    }
    for (const [tStart, tCount] of walk.ranges) {
      const inputSteps = walk.stepsOf(-1);
      ops.encode({
        kind: walk.encoding,
        seed: walk.options.seed,
        shape: { numSteps: inputSteps, batch: B, tokens: frame.tokens, dim },
        tStart: inputSteps === 1 ? 0 : tStart,
        tCount: inputSteps === 1 ? 1 : tCount,
        positionOffset: frame.chunk.tokenStart,
        tokenIds: inputs.tokenIds,
        probabilities: walk.model.probabilities,
        streamIds: inputs.streamIds,
        output: tensorOf(-1),
        firstStepOnly: walk.model.spec.encoder.presentation === 'first-step',
      });
      const ctx = walk.context(tStart, tCount, frame);
      for (const node of positional) {
        const input = node.inputs.map((source): InputValue<Tensor> => ({
          tensor: tensorOf(source),
          shape: walk.shapeOf(source),
          steps: walk.stepsOf(source),
          positions: frame.positions(walk.shapeOf(source)),
        }));
        const output: OutputValue<Tensor> = {
          tensor: tensorOf(node.index),
          steps: walk.stepsOf(node.index),
          positions: node.module.reduces ? 1 : frame.positions(node.shape),
          membrane: membranes.get(node.index),
        };
        node.module.record(ctx, node.spec, input, output);
      }
    }
    if (!ann) recordChunkReadbacks(walk, frame, positional, tensorOf, membranes);
    if (frames.length > 1) {
      ops.flush();
      if (control) {
        // Wait for the chunk to run (on a GPU, recording races ahead of the queue: a cancel must
        // find the queue nearly empty), then let other messages in.
        await ops.settle();
        control.onChunk?.(++progress.done, progress.total);
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (control.signal?.aborted) throw new CancelledError('The request was cancelled.');
      }
    }
  }

  const flatMembranes = new Map<number, Tensor>();
  for (const node of flat) {
    values.set(node.index, ops.allocate(`${node.spec.name}.output`, numSteps * B * node.shape.channels));
    if (walk.tracesOf(node).length > 0) flatMembranes.set(node.index, ops.allocate(`${node.spec.name}.membrane`, numSteps * B * node.shape.channels));
  }
  for (const [tStart, tCount] of walk.ranges) {
    const ctx = walk.context(tStart, tCount, null);
    for (const node of positional) {
      if (!node.module.reduces || !node.module.finish) continue;
      const output = { tensor: values.get(node.index)!, steps: numSteps, positions: 1 };
      node.module.finish(ctx, node.spec, node.inputs.map((source) => walk.shapeOf(source)), output);
    }
    for (const node of flat) {
      const input = node.inputs.map((source): InputValue<Tensor> => ({ tensor: values.get(source)!, shape: walk.shapeOf(source), steps: numSteps, positions: 1 }));
      node.module.record(ctx, node.spec, input, { tensor: values.get(node.index)!, steps: numSteps, positions: 1, membrane: flatMembranes.get(node.index) });
    }
  }
  recordFlatReadbacks(walk, flat, values, flatMembranes);
}

/** Spike trains of the recorded spiking layers, sized for the whole batch; per-position event arrays. */
function registerRecordings<Tensor, NeuronState>(walk: GraphWalk<Tensor, NeuronState>, positional: GraphNode[]): void {
  for (const node of positional) {
    if (!node.module.neuron || node.module.reduces) continue;
    const positions = positionsOf(node.shape, walk.batch.tokens);
    walk.tracesOf(node);
    if (walk.recordsSpikes(node.spec.name) && !walk.ann) {
      walk.out.spikeTrains.set(node.spec.name, {
        positions,
        channels: node.shape.channels,
        samples: range(walk.B).map(() => new Float32Array(walk.numSteps * positions * node.shape.channels)),
      });
    }
    if (!walk.ann) walk.out.layerEvents.set(node.index, new Float32Array(walk.B * positions));
  }
}

/** The per-chunk inputs: token ids and random streams of the tokens the chunk reads. */
function chunkInputs<Tensor, NeuronState>(walk: GraphWalk<Tensor, NeuronState>, frame: ChunkFrame<Tensor>) {
  const { B, batch, ops } = walk;
  const { tokenStart, tokenEnd } = frame.chunk;
  const tokenIds = new Int32Array(B * frame.tokens);
  for (let b = 0; b < B; b++) tokenIds.set(batch.tokenIds.subarray(b * batch.tokens + tokenStart, b * batch.tokens + tokenEnd), b * frame.tokens);
  return {
    tokenIds: ops.upload(`chunk${frame.index}.tokenIds`, tokenIds),
    streamIds: ops.upload(`chunk${frame.index}.streamIds`, batch.streamIds),
  };
}

/**
 * Spike events per position (the encoder's over the tokens this chunk owns, each spiking layer's
 * over its positions), and the recorded spike trains and membrane traces, placed at the chunk's positions.
 */
function recordChunkReadbacks<Tensor, NeuronState>(
  walk: GraphWalk<Tensor, NeuronState>,
  frame: ChunkFrame<Tensor>,
  positional: GraphNode[],
  tensorOf: (value: number) => Tensor,
  membranes: Map<number, Tensor>,
): void {
  const { ops, B, numSteps, out, readbacks, batch } = walk;
  const { start } = frame.chunk;
  const dim = walk.graph.input.channels;
  // A static input was computed for one step and holds for all of them.
  const inputSteps = walk.stepsOf(-1);
  const repeat = numSteps / inputSteps;
  const ownedTokens = frame.owned(walk.graph.input);
  const inputEvents = ops.allocate(`chunk${frame.index}.inputEvents`, B * frame.tokens);
  ops.countEvents({ numSteps: inputSteps, batch: B, positions: frame.tokens, channels: dim, input: tensorOf(-1), output: inputEvents });
  readbacks.push({
    tensor: inputEvents,
    length: B * frame.tokens,
    consume: (data) => copyPositions(repeat === 1 ? data : data.map((events) => events * repeat), B, frame.tokens, ownedTokens, out.inputEvents, batch.tokens, start, 1),
  });
  if (out.inputTrain) {
    readbacks.push({
      tensor: tensorOf(-1),
      length: inputSteps * B * frame.tokens * dim,
      consume: (data) => {
        const steps = repeat === 1 ? data : repeatSteps(data, numSteps);
        splitSamples(steps, numSteps, B, frame.tokens * dim).forEach((sample, b) =>
          copyPositions(sample, numSteps, frame.tokens, ownedTokens, out.inputTrain![b], batch.tokens, start, dim),
        );
      },
    });
  }
  for (const node of positional) {
    if (!node.module.neuron || node.module.reduces) continue;
    const C = node.shape.channels;
    const positions = frame.positions(node.shape);
    const total = positionsOf(node.shape, batch.tokens);
    const owned = frame.owned(node.shape);
    const spikes = tensorOf(node.index);
    const events = ops.allocate(`chunk${frame.index}.${node.spec.name}.events`, Math.max(1, B * positions));
    ops.countEvents({ numSteps, batch: B, positions, channels: C, input: spikes, output: events });
    readbacks.push({
      tensor: events,
      length: B * positions,
      consume: (data) => copyPositions(data, B, positions, owned, out.layerEvents.get(node.index)!, total, start, 1),
    });
    const train = out.spikeTrains.get(node.spec.name);
    if (train) {
      readbacks.push({
        tensor: spikes,
        length: numSteps * B * positions * C,
        consume: (data) =>
          splitSamples(data, numSteps, B, positions * C).forEach((sample, b) => copyPositions(sample, numSteps, positions, owned, train.samples[b], total, start, C)),
      });
    }
    const membrane = membranes.get(node.index);
    if (!membrane) continue;
    const traces = walk.tracesOf(node);
    readbacks.push({
      tensor: membrane,
      length: numSteps * B * positions * C,
      consume: (data) => {
        for (const trace of traces) {
          if (node.module.alongSentence) {
            // Channel `neuron % C` at every position this chunk owns: step t of position p is step p·T + t.
            const c = trace.neuron % C;
            for (let b = 0; b < B; b++) {
              for (let p = 0; p < owned; p++) for (let t = 0; t < numSteps; t++) trace.samples[b][(start + p) * numSteps + t] = data[((t * B + b) * positions + p) * C + c];
            }
            continue;
          }
          const position = Math.floor(trace.neuron / C) - start;
          if (position < 0 || position >= owned) continue;
          const local = position * C + (trace.neuron % C);
          for (let b = 0; b < B; b++) {
            for (let t = 0; t < numSteps; t++) trace.samples[b][t] = data[(t * B + b) * positions * C + local];
          }
        }
      },
    });
  }
}

/** Events, recorded trains and membrane traces of the flat spiking layers; the scores and output train. */
function recordFlatReadbacks<Tensor, NeuronState>(
  walk: GraphWalk<Tensor, NeuronState>,
  flat: GraphNode[],
  values: Map<number, Tensor>,
  membranes: Map<number, Tensor>,
): void {
  const { ops, B, ann, numSteps, out, readbacks, graph } = walk;
  const spec = walk.model.spec;
  for (const node of flat) {
    if (ann || !node.module.neuron) continue;
    const C = node.shape.channels;
    const output = values.get(node.index)!;
    const events = ops.allocate(`${node.spec.name}.events`, B);
    ops.countEvents({ numSteps, batch: B, positions: 1, channels: C, input: output, output: events });
    readbacks.push({ tensor: events, length: B, consume: (data) => out.layerEvents.set(node.index, data) });
    if (walk.recordsSpikes(node.spec.name)) {
      readbacks.push({
        tensor: output,
        length: numSteps * B * C,
        consume: (data) => out.spikeTrains.set(node.spec.name, { positions: 1, channels: C, samples: splitSamples(data, numSteps, B, C) }),
      });
    }
    const membrane = membranes.get(node.index);
    if (!membrane) continue;
    const traces = walk.tracesOf(node);
    readbacks.push({
      tensor: membrane,
      length: numSteps * B * C,
      consume: (data) => {
        for (const trace of traces) {
          for (let b = 0; b < B; b++) {
            for (let step = 0; step < numSteps; step++) trace.samples[b][step] = data[(step * B + b) * C + trace.neuron];
          }
        }
      },
    });
  }
  const last = graph.nodes[graph.nodes.length - 1];
  const classes = spec.readout.classes.length;
  const lastOutput = values.get(last.index)!;
  const scores = ops.allocate('readout.scores', B * classes);
  ops.readout({ numSteps, batch: B, classes, population: spec.readout.population, input: lastOutput, output: scores });
  readbacks.push({ tensor: scores, length: B * classes, consume: (data) => (out.scores = data) });
  readbacks.push({ tensor: lastOutput, length: numSteps * B * last.shape.channels, consume: (data) => (out.outputTrain = data) });
}

/** Runs every entry of `runs` over the batch (see the module comment); one read-back for all. */
export async function executeAll<Tensor, NeuronState>(
  ops: TensorOps<Tensor, NeuronState>,
  model: ResidentModel<Tensor>,
  batch: PreparedBatch,
  runs: ExecuteOptions[],
  control?: RunControl,
): Promise<RawOutput[]> {
  const walks = runs.map((options) => new GraphWalk(ops, model, batch, options));
  const progress = { done: 0, total: walks.reduce((sum, walk) => sum + walk.chunkCount(), 0) };
  for (const walk of walks) await recordWalk(walk, control, progress);
  const readbacks = walks.flatMap((walk) => walk.readbacks);
  const data = await ops.read(readbacks.map(({ tensor, length }) => ({ tensor, length })));
  readbacks.forEach((readback, i) => readback.consume(data[i]));
  return walks.map((walk) => walk.out);
}

/** One run: see `executeAll`. */
export async function execute<Tensor, NeuronState>(
  ops: TensorOps<Tensor, NeuronState>,
  model: ResidentModel<Tensor>,
  batch: PreparedBatch,
  options: ExecuteOptions,
): Promise<RawOutput> {
  const [out] = await executeAll(ops, model, batch, [options]);
  return out;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Splits `[numSteps][batch][inner]` into per-sample `[numSteps][inner]` arrays. */
export function splitSamples(data: Float32Array, numSteps: number, batch: number, inner: number): Float32Array[] {
  return range(batch).map((b) => {
    const sample = new Float32Array(numSteps * inner);
    for (let t = 0; t < numSteps; t++) sample.set(data.subarray((t * batch + b) * inner, (t * batch + b + 1) * inner), t * inner);
    return sample;
  });
}

/**
 * Copies the first `owned` positions of each of `groups` blocks of `[positions][width]` in `source`
 * into `target`'s blocks of `[targetPositions][width]`, starting at position `offset`.
 */
export function copyPositions(
  source: Float32Array,
  groups: number,
  positions: number,
  owned: number,
  target: Float32Array,
  targetPositions: number,
  offset: number,
  width: number,
): void {
  for (let g = 0; g < groups; g++) {
    const from = g * positions * width;
    target.set(source.subarray(from, from + owned * width), (g * targetPositions + offset) * width);
  }
}

/** One step of a tensor repeated `numSteps` times (a static input seen at every step). */
function repeatSteps(step: Float32Array, numSteps: number): Float32Array {
  const out = new Float32Array(step.length * numSteps);
  for (let t = 0; t < numSteps; t++) out.set(step, t * step.length);
  return out;
}
