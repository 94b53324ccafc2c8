import type { BackendChoice } from '../engine/types';
import * as Comlink from 'comlink';
import { Engine } from '../engine/engine';
import { CancelledError, InputError } from '../engine/errors';
import { LatestWinsScheduler } from '../engine/scheduler';
import type { BatchResult, RunOptions } from '../engine/types';
import { GpuBackend } from '../engine/backends';
import { layerShapes } from '../model/spec';
import { parseModel, type LoadedModel } from '../model/format';
import { ModelFormatError } from '../model/safetensors';
import { LOCAL_MODEL_PREFIX, loadStoredModel } from './model-store';
import { BatchFileError, MAX_BATCH_FILE_BYTES, readBatchFile, summarizeBatchFile, tooLargeMessage, type BatchFile, type BatchFileSummary } from '../ui/batch-file';
import { batchCsv, labelToClass, summarizeBatch, type BatchRow } from '../ui/batch-summary';
import { batchRows } from '../ui/result-views';
import type { BatchOutcome, EngineStatus, ModelSummary, NirExportFile, SpikescopeApi } from './api';
import { fetchModel } from './model-loader';
import { parseCardMetrics } from '../ui/card-metrics';
import type { NirGraphSummary, NirRunRequest, NirRunResult, NirSession } from '../nir/session';

/** The NIR reader, runner and writer (jsfive included), loaded on first use: most visits never need them. */
const nirModules = () => import('./nir-modules');

/** Texts given to the engine at once in a batch run: results are kept as compact rows between parts. */
const BATCH_PART = 1024;
/** About how long one inference of a batch run may take, so that a cancel is seen within it (see ClassifyHooks). */
const BATCH_TARGET_MS = 250;
/** Rows of a finished batch sent to the page for its preview. */
const PREVIEW_ROWS = 25;
/** Misclassified rows sent to the page, to list and open in the inspector. */
const MISTAKES_SHOWN = 200;

/** Every ArrayBuffer inside a result, once, so that the result is transferred rather than copied. */
function transferables(result: BatchResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const sample of result.samples) {
    for (const activity of sample.activity) if (activity.perPosition) buffers.add(activity.perPosition.buffer as ArrayBuffer);
    for (const train of sample.spikeTrains ?? []) buffers.add(train.spikes.buffer as ArrayBuffer);
    for (const trace of sample.membrane ?? []) buffers.add(trace.potential.buffer as ArrayBuffer);
  }
  return [...buffers];
}

function summarize(url: string, model: LoadedModel): ModelSummary {
  const { config, spec } = model;
  return {
    url,
    name: config.name,
    description: config.description,
    language: config.language,
    tokenizer: config.tokenizer,
    classes: spec.readout.classes,
    population: spec.readout.population,
    numSteps: config.numSteps,
    defaultEncoding: config.defaultEncoding,
    input: {
      trained: spec.encoder.kind,
      firstStep: spec.encoder.presentation === 'first-step',
      binary: spec.encoder.binarySigmas !== undefined,
      lossless: spec.layers.some((layer) => (layer.kind === 'neuron' || layer.kind === 'sequence-neuron' || layer.kind === 'token-recurrent') && 'model' in layer && layer.model === 'BIF'),
      onCard: [...new Set(parseCardMetrics(config.metrics)?.runs.map((run) => run.encoding) ?? [])],
    },
    seed: config.seed,
    vocabularySize: config.vocabulary.length,
    layers: layerShapes(spec, spec.encoder.minLength).map((shape) => ({
      name: shape.layer.name,
      kind: shape.layer.kind,
      positional: shape.positional,
      channels: shape.channels,
      spiking: shape.spiking,
      label: shape.label,
      ...(shape.positional ? { spans: [...shape.spans] } : {}),
      ...(shape.layer.kind === 'conv' ? { widths: [...shape.layer.widths], filters: shape.layer.filters } : {}),
    })),
    metrics: config.metrics,
    provenance: config.provenance,
  };
}

/** A model trained in this page, from its storage. */
async function localModel(id: string): Promise<LoadedModel> {
  const stored = await loadStoredModel(id);
  if (!stored) throw new ModelFormatError(`The model trained here (${id}) is no longer kept in this browser: train it again, or open its downloaded zip with the CLI.`);
  return parseModel(stored.configText, stored.weightBytes);
}

/** The engine behind the worker boundary. */
class WorkerEngine implements SpikescopeApi {
  private engine = new Engine({ backend: 'auto', gpu: async () => (self.navigator as Navigator).gpu });
  private model: LoadedModel | null = null;
  private readonly interactive = new LatestWinsScheduler();
  private batchController: AbortController | null = null;
  private readController: AbortController | null = null;
  private batchFile: (BatchFile & { name: string }) | null = null;
  private lastBatch: { name: string; rows: BatchRow[]; classes: string[]; labelled: boolean } | null = null;
  private nir: NirSession | null = null;

  async configure(backend: BackendChoice): Promise<void> {
    this.engine.dispose();
    this.engine = new Engine({ backend, gpu: async () => (self.navigator as Navigator).gpu });
  }

  async status(): Promise<EngineStatus> {
    const backend = await this.engine.currentBackend();
    return { backend: backend.kind, detail: backend.detail, hasTimestamps: backend instanceof GpuBackend && backend.ctx.hasTimestamps };
  }

  async loadModel(url: string): Promise<ModelSummary> {
    const model = url.startsWith(LOCAL_MODEL_PREFIX) ? await localModel(url.slice(LOCAL_MODEL_PREFIX.length)) : await fetchModel(url);
    this.model = model;
    // Compile the pipelines now, in the background, so the first sentence a person types is not the
    // slow one; a real request supersedes this one in the scheduler.
    const word = model.config.vocabulary.find((entry) => entry.trim().length > 0) ?? 'a';
    const warmUp = { numSteps: 1, encoding: model.config.defaultEncoding, seed: model.config.seed };
    this.interactive.submit((signal) => this.engine.classify(model, [word], warmUp, { signal })).catch(() => undefined);
    return summarize(url, model);
  }

  private requireModel(): LoadedModel {
    if (!this.model) throw new InputError('No model is loaded yet: load one first.');
    return this.model;
  }

  async classify(text: string, options: RunOptions, onChunk?: (done: number, total: number) => void): Promise<BatchResult> {
    const model = this.requireModel();
    const result = await this.interactive.submit((signal) => this.engine.classify(model, [text], options, { signal, onChunk }));
    return Comlink.transfer(result, transferables(result));
  }

  async readBatchFile(file: Blob, name: string): Promise<BatchFileSummary> {
    this.readController?.abort();
    const controller = new AbortController();
    this.readController = controller;
    if (file.size > MAX_BATCH_FILE_BYTES) throw new BatchFileError(tooLargeMessage(name, file.size));
    const parsed = await readBatchFile(new Uint8Array(await file.arrayBuffer()), name, { signal: controller.signal });
    if (controller.signal.aborted) throw new CancelledError('Reading the file was cancelled.');
    this.batchFile = { ...parsed, name };
    return summarizeBatchFile(parsed, name, PREVIEW_ROWS);
  }

  async classifyBatchFile(options: RunOptions, onProgress?: (done: number, total: number) => void): Promise<BatchOutcome> {
    const model = this.requireModel();
    const file = this.batchFile;
    if (!file) throw new InputError('No batch file is read yet: choose one first.');
    this.batchController?.abort();
    const controller = new AbortController();
    this.batchController = controller;
    const { texts, labels, name } = file;
    const classes = model.spec.readout.classes;
    const rows: BatchRow[] = new Array(texts.length);
    // Progress at most every 100 ms: on a fast GPU batches finish far more often than the page needs to know.
    let reportedAt = -Infinity;
    const report = (done: number) => {
      const now = performance.now();
      if (done !== texts.length && now - reportedAt < 100) return;
      reportedAt = now;
      onProgress?.(done, texts.length);
    };
    // In parts, so that only compact rows are kept, not every text's activity and energy.
    for (let start = 0; start < texts.length; start += BATCH_PART) {
      const part = texts.slice(start, start + BATCH_PART);
      const result = await this.engine.classify(model, part, { ...options, record: undefined }, {
        signal: controller.signal,
        firstIndex: start,
        batchTargetMs: BATCH_TARGET_MS,
        onProgress: (done) => report(start + done),
      });
      batchRows(part, labels && labels.slice(start, start + BATCH_PART), result).forEach((row, i) => (rows[start + i] = row));
    }
    const labelled = labels !== null;
    this.lastBatch = { name, rows, classes, labelled };
    const summary = summarizeBatch(
      rows.map((row) => row.predicted),
      rows.map((row) => row.annPredicted),
      labels,
      classes,
    );
    const mistakes = labels
      ? rows.flatMap((row, i) => {
          const truth = row.label === null ? -1 : labelToClass(row.label, classes);
          return truth >= 0 && truth !== row.predicted ? [{ ...row, row: i + 1 }] : [];
        })
      : [];
    return { name, total: rows.length, labelled, summary, preview: rows.slice(0, PREVIEW_ROWS), mistakes: mistakes.slice(0, MISTAKES_SHOWN), mistakeCount: mistakes.length };
  }

  async exportBatchCsv(): Promise<Blob> {
    const batch = this.lastBatch;
    if (!batch) throw new InputError('No batch has finished yet: classify a file first.');
    return new Blob([batchCsv(batch.rows, batch.classes, batch.labelled)], { type: 'text/csv;charset=utf-8' });
  }

  async cancelBatch(): Promise<void> {
    this.batchController?.abort();
  }
  async openNir(file: Blob, name: string): Promise<NirGraphSummary> {
    const { MAX_NIR_FILE_BYTES, NirFormatError, NirSession } = await nirModules();
    if (file.size > MAX_NIR_FILE_BYTES) throw new NirFormatError(`${name} is ${file.size} bytes, above the ${MAX_NIR_FILE_BYTES}-byte limit for a NIR file`);
    this.nir = NirSession.open(new Uint8Array(await file.arrayBuffer()), name);
    return this.nir.summary;
  }

  async runNir(request: NirRunRequest): Promise<NirRunResult> {
    if (!this.nir) throw new InputError('No NIR graph is open yet: open a .nir file first.');
    const { runNirGpu, runNirReference, thresholdsOf } = await nirModules();
    const { program, input, steps } = this.nir.prepare(request);
    const started = performance.now();
    const backend = await this.engine.currentBackend();
    const trace = backend instanceof GpuBackend ? await runNirGpu(backend.ctx, program, input, steps) : runNirReference(program, input, steps);
    const thresholds = thresholdsOf(program);
    let inputSpikes = 0;
    for (const x of input) inputSpikes += x;
    const result: NirRunResult = {
      steps,
      dt: request.dt,
      reset: request.reset,
      backend: backend instanceof GpuBackend ? 'WebGPU' : 'CPU reference',
      inputSpikes,
      elapsedMs: performance.now() - started,
      nodes: trace.nodes.map((n) => ({ path: n.path, type: n.type, size: n.size, spikes: n.spikes, v: n.v, output: n.output, vThreshold: thresholds.get(n.path) })),
    };
    const buffers = result.nodes.flatMap((n) => [n.spikes, n.v, n.output].filter((a): a is Float32Array => a !== undefined).map((a) => a.buffer as ArrayBuffer));
    return Comlink.transfer(result, buffers);
  }

  async exportNir(length?: number): Promise<NirExportFile> {
    const model = this.requireModel();
    const { exportModel, writeNir } = await nirModules();
    const exported = exportModel(model, { length });
    const bytes = writeNir(exported.graph);
    const base = model.config.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'model';
    const note = `${exported.layout === 'words' ? `Along the words: ${model.config.numSteps} steps per word` : `Over ${exported.length} positions`}; run with dt = ${exported.dt} s and reset ${exported.reset}. ${exported.readout}.`;
    return Comlink.transfer({ bytes, fileName: `${base}${exported.length ? `-n${exported.length}` : ''}.nir`, note }, [bytes.buffer as ArrayBuffer]);
  }

}

Comlink.expose(new WorkerEngine());
