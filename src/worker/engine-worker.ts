import * as Comlink from 'comlink';
import { Engine } from '../engine/engine';
import { InputError } from '../engine/errors';
import { LatestWinsScheduler } from '../engine/scheduler';
import type { BatchResult, RunOptions } from '../engine/types';
import { GpuBackend } from '../engine/backends';
import { layerShapes } from '../model/spec';
import type { LoadedModel } from '../model/format';
import type { EngineStatus, ModelSummary, SpikescopeApi } from './api';
import { fetchModel } from './model-loader';

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

/** The engine behind the worker boundary. */
class WorkerEngine implements SpikescopeApi {
  private engine = new Engine({ backend: 'auto', gpu: async () => (self.navigator as Navigator).gpu });
  private model: LoadedModel | null = null;
  private readonly interactive = new LatestWinsScheduler();
  private batchController: AbortController | null = null;

  async configure(backend: 'auto' | 'gpu' | 'cpu'): Promise<void> {
    this.engine.dispose();
    this.engine = new Engine({ backend, gpu: async () => (self.navigator as Navigator).gpu });
  }

  async status(): Promise<EngineStatus> {
    const backend = await this.engine.currentBackend();
    return { backend: backend.kind, detail: backend.detail, hasTimestamps: backend instanceof GpuBackend && backend.ctx.hasTimestamps };
  }

  async loadModel(url: string): Promise<ModelSummary> {
    const model = await fetchModel(url);
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

  async classify(text: string, options: RunOptions): Promise<BatchResult> {
    const model = this.requireModel();
    const result = await this.interactive.submit((signal) => this.engine.classify(model, [text], options, { signal }));
    return Comlink.transfer(result, transferables(result));
  }

  async classifyBatch(texts: string[], options: RunOptions, onProgress?: (done: number, total: number) => void): Promise<BatchResult> {
    const model = this.requireModel();
    this.batchController?.abort();
    const controller = new AbortController();
    this.batchController = controller;
    const result = await this.engine.classify(model, texts, { ...options, record: undefined }, { signal: controller.signal, onProgress });
    return Comlink.transfer(result, transferables(result));
  }

  async cancelBatch(): Promise<void> {
    this.batchController?.abort();
  }
}

Comlink.expose(new WorkerEngine());
