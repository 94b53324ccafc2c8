import { GpuDeviceLostError, GpuLimitError } from '../gpu/errors';
import type { LoadedModel } from '../model/format';
import { tokenize } from '../model/tokenizer';
import { createCpuBackend, GpuBackend, type Backend } from './backends';
import { resolveBackend } from './choose-backend';
import { minimumTokens, networkGraph } from '../layers/graph';
import { prepareBatch, type PreparedBatch } from './batch';
import type { RawOutput } from './executor';
import { CancelledError, InputError } from './errors';
import { buildSampleResult } from './results';
import type { BackendChoice, BatchResult, RunOptions, SampleResult } from './types';

export interface EngineOptions {
  backend: BackendChoice;
  /** Where WebGPU comes from: `navigator.gpu` in a browser, the `webgpu` package in Node. */
  gpu?: () => Promise<GPU | undefined>;
  /** Samples per inference (one command buffer each). */
  maxBatch?: number;
  /** `auto` runs the WebAssembly CPU backend rather than a software WebGPU adapter (Node). */
  skipSoftwareAdapter?: boolean;
}

export interface ClassifyHooks {
  onProgress?: (done: number, total: number) => void;
  /** Checked while tokenising (every `TOKENIZE_STEP` texts), between batches, and between the chunks of positions of a long text. */
  signal?: AbortSignal;
  /** A long text runs in chunks of positions: chunks done of the batch's total, as they finish. */
  onChunk?: (done: number, total: number) => void;
  /** Position of `texts[0]` in a larger batch run in parts: messages number texts from it. */
  firstIndex?: number;
  /**
   * Wall time one inference should take at most, roughly: batches start small and grow or shrink to
   * it, so that a cancel waits for one short inference even on a slow adapter. Results do not change
   * (a text's spikes depend only on the seed and the text, never on its batch).
   */
  batchTargetMs?: number;
}

/** Texts tokenised between two looks at the abort signal (a pause lets a cancel message in). */
export const TOKENIZE_STEP = 256;

/** Longest text accepted, in characters; longer input gets a clear error, not a freeze. */
export const MAX_TEXT_CHARACTERS = 2_000_000;

/**
 * Most tokens in one text (about 120,000 characters of English). Any length up to this runs, in
 * chunks of positions where buffers are smaller; beyond it the answer would take minutes on a
 * software adapter, so the caller is told to split the text instead.
 */
export const MAX_TEXT_TOKENS = 25_000;

/**
 * Classifies texts with a loaded model on the chosen backend: tokenises, batches by length, runs the
 * SNN and its ANN twin (one command buffer per batch, read back once), and assembles per-text results
 * with spike activity and energy. A lost GPU device is replaced on the next request.
 */
export class Engine {
  private backend: Backend | null = null;
  /** Notices for the next result, e.g. that the device of an earlier request was lost. */
  private pendingNotices: string[] = [];
  /** Batch size that met `batchTargetMs` last time (kept across requests: a batch file runs in parts). */
  private timedBatch = 4;

  constructor(private readonly options: EngineOptions) {}

  /** The backend that will run the next request (acquiring a device if needed). */
  async currentBackend(): Promise<Backend> {
    if (this.backend?.kind === 'gpu' && (this.backend as GpuBackend).ctx.isLost) {
      this.pendingNotices.push(`The GPU device was lost (${(this.backend as GpuBackend).ctx.lostReason}); a new one was acquired.`);
      this.backend.dispose();
      this.backend = null;
    }
    if (this.backend) return this.backend;
    const resolved = await resolveBackend(this.options.backend, this.options.gpu, this.options.skipSoftwareAdapter ?? false);
    if (resolved.kind === 'gpu') this.backend = new GpuBackend(resolved.ctx);
    else this.backend = createCpuBackend(resolved.kind, resolved.why);
    return this.backend;
  }

  async classify(model: LoadedModel, texts: string[], options: RunOptions, hooks: ClassifyHooks = {}): Promise<BatchResult> {
    const started = performance.now();
    validateOptions(options);
    const padded = minimumTokens(model.spec);
    const first = hooks.firstIndex ?? 0;
    const cancelled = () => new CancelledError('The request was cancelled.');
    if (hooks.signal?.aborted) throw cancelled();
    const prepared: { tokens: string[]; ids: Int32Array; unknown: string[] }[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      if (i > 0 && i % TOKENIZE_STEP === 0) {
        // A long batch is tokenised in steps, so that a cancel or a newer request is seen at once.
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (hooks.signal?.aborted) throw cancelled();
      }
      const text = texts[i];
      const index = first + i;
      if (text.length > MAX_TEXT_CHARACTERS) {
        throw new InputError(`Text ${index + 1} has ${text.length} characters; the limit is ${MAX_TEXT_CHARACTERS}. Split it.`);
      }
      const tokens = tokenize(text, model.config.tokenizer);
      if (tokens.length === 0) throw new InputError(texts.length === 1 && hooks.firstIndex === undefined ? 'The text is empty: type something to classify.' : `Text ${index + 1} is empty.`);
      // Padding to the model's minimum length counts against the limit too.
      if (Math.max(tokens.length, padded) > MAX_TEXT_TOKENS) {
        throw new InputError(`Text ${index + 1} has ${Math.max(tokens.length, padded)} tokens; the limit is ${MAX_TEXT_TOKENS}. Split it into shorter texts.`);
      }
      const { ids, unknown } = model.vocabulary.encode(tokens);
      prepared[i] = { tokens, ids, unknown };
    }
    const samples: SampleResult[] = new Array(texts.length);
    const ids = prepared.map((sample) => sample.ids);
    const order = lengthOrder(ids);
    let computeMs = 0;
    let gpuMs: number | undefined;
    let backend = await this.currentBackend();
    const notices: string[] = this.pendingNotices.splice(0);
    let done = 0;
    let retriesLeft = 1;
    const maxBatch = this.options.maxBatch ?? 64;
    let batchLimit = hooks.batchTargetMs === undefined ? maxBatch : Math.min(maxBatch, this.timedBatch);
    hooks.onProgress?.(0, texts.length);
    for (let start = 0; start < order.length; ) {
      // Let other messages in (a cancel, a newer request) between batches, even on the CPU backend.
      if (start > 0) await new Promise((resolve) => setTimeout(resolve, 0));
      if (hooks.signal?.aborted) throw cancelled();
      const { indices, batch, maxChunkPositions } = nextBatch(backend, model, options, ids, order, start, batchLimit);
      const execute = { ...options, maxChunkPositions };
      let snn: RawOutput;
      let ann: RawOutput | undefined;
      try {
        const runs = [{ ...execute, mode: 'snn' as const }, ...(options.ann !== false ? [{ ...execute, mode: 'ann' as const }] : [])];
        const runStarted = performance.now();
        const control = hooks.signal || hooks.onChunk ? { signal: hooks.signal, onChunk: hooks.onChunk } : undefined;
        const run = await backend.run(model, batch, runs, control);
        if (hooks.batchTargetMs !== undefined) {
          const took = performance.now() - runStarted;
          if (took > hooks.batchTargetMs) batchLimit = Math.max(1, Math.floor(batchLimit / 2));
          else if (took < hooks.batchTargetMs / 2 && indices.length === batchLimit) batchLimit = Math.min(maxBatch, batchLimit * 2);
          this.timedBatch = batchLimit;
        }
        [snn, ann] = run.raws;
        computeMs += run.computeMs;
        if (run.gpuMs !== undefined) gpuMs = (gpuMs ?? 0) + run.gpuMs;
      } catch (error) {
        if (!(error instanceof GpuDeviceLostError) || retriesLeft-- === 0) throw error;
        // The device is gone: a new one is acquired and this batch is run again, once.
        this.backend = null;
        backend = await this.currentBackend();
        notices.push(`${(error as Error).message} Recovered on a new device (${backend.detail}).`);
        continue;
      }
      indices.forEach((index, b) => {
        samples[index] = buildSampleResult({ model, options, snn, ann, batch, b, ...prepared[index], index: first + index });
      });
      start += indices.length;
      done += indices.length;
      hooks.onProgress?.(done, texts.length);
    }
    return {
      backend: backend.kind,
      backendDetail: backend.detail,
      options,
      samples,
      timings: { totalMs: performance.now() - started, computeMs, gpuMs },
      notices,
    };
  }

  dispose(): void {
    this.backend?.dispose();
    this.backend = null;
  }
}

function validateOptions(options: RunOptions): void {
  if (!Number.isInteger(options.numSteps) || options.numSteps < 1 || options.numSteps > 1000) {
    throw new InputError(`The number of steps must be a whole number from 1 to 1000, got ${options.numSteps}.`);
  }
  if (options.encoding !== 'rate' && options.encoding !== 'direct') {
    throw new InputError(`The encoding must be 'rate' or 'direct', got '${options.encoding}'.`);
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new InputError(`The seed must be a whole number from 0 to 4294967295, got ${options.seed}.`);
  }
  const scale = options.neurons?.thresholdScale;
  if (scale !== undefined && !(scale > 0)) throw new InputError(`The threshold scale must be positive, got ${scale}.`);
  const beta = options.neurons?.beta;
  if (beta !== undefined && !(beta > 0 && beta <= 1)) throw new InputError(`beta must be in (0, 1], got ${beta}.`);
}

/** Indices of `ids` from the shortest to the longest (ties in order): batches of similar lengths. */
export function lengthOrder(ids: readonly Int32Array[]): number[] {
  return ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length || a - b);
}

/**
 * The batch that starts at `order[start]`: as many samples as fit the backend's buffers (at most
 * `maxBatch`), padded to the longest of them, and the chunk size of its positions.
 */
export function nextBatch(
  backend: Backend,
  model: LoadedModel,
  options: RunOptions,
  ids: readonly Int32Array[],
  order: readonly number[],
  start: number,
  maxBatch: number,
): { indices: number[]; batch: PreparedBatch; maxChunkPositions: number } {
  const minLength = minimumTokens(model.spec);
  const longest = ids[order[Math.min(order.length, start + maxBatch) - 1]].length;
  const plan = planBatch(backend, model, options, Math.max(longest, minLength), maxBatch);
  const indices = order.slice(start, start + plan.batch);
  return { indices, batch: prepareBatch(indices.map((i) => ids[i]), minLength), maxChunkPositions: plan.maxChunkPositions };
}

/**
 * How many samples go into one inference and how many positions into one chunk, so that no buffer
 * exceeds the backend's limit: the largest tensor is `[T·batch][positions][max(channels, dim)]`.
 */
export function planBatch(
  backend: Backend,
  model: LoadedModel,
  options: RunOptions,
  tokens: number,
  maxBatch: number,
): { batch: number; maxChunkPositions: number } {
  const graph = networkGraph(model.spec);
  const widest = Math.max(...[graph.input, ...graph.nodes.map((node) => node.shape)].filter((shape) => shape.positional).map((shape) => shape.channels));
  const bytesPerRowPosition = widest * 4;
  const minimumPositions = 8;
  const positionsWanted = tokens - graph.chunkSpan + 1;
  const rowsLimit = Math.floor(backend.maxBufferBytes / (bytesPerRowPosition * (Math.min(positionsWanted, minimumPositions) + graph.maxSpan)));
  const batch = Math.min(maxBatch, Math.floor(rowsLimit / options.numSteps));
  if (batch < 1) {
    throw new GpuLimitError(`${options.numSteps} steps do not fit the ${backend.kind.toUpperCase()} buffers for this model; use fewer steps.`);
  }
  const rows = batch * options.numSteps;
  const maxChunkPositions = Math.max(1, Math.floor(backend.maxBufferBytes / (rows * bytesPerRowPosition)) - graph.maxSpan + 1);
  return { batch, maxChunkPositions };
}
