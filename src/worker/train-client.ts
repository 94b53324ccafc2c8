/**
 * The page's side of the training worker (`train-worker.ts`): started when the Train view first
 * needs it, wrapped with comlink; errors cross by name as the engine's do (`userMessage`).
 */
import * as Comlink from 'comlink';
import type { ChosenColumns } from '../data/labelled-text';
import type { UserTable, UserTrainSettings } from '../train/user-train';
import { workerCrash } from './client';
import type { StoredModelInfo } from './model-store';
import type { InterruptedRun, TablePreview, TrainApi, TrainEvent, TrainingPreview, TrainOutcome } from './train-api';

export class TrainClient {
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<TrainApi>;
  private readonly crashed: Promise<never>;

  constructor() {
    this.worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'spikescope-train' });
    this.api = Comlink.wrap<TrainApi>(this.worker);
    this.crashed = workerCrash(this.worker, 'training');
  }

  private call<T>(request: Promise<T>): Promise<T> {
    return Promise.race([request, this.crashed]);
  }

  readFiles(files: File[], columns?: ChosenColumns): Promise<TrainingPreview> {
    return this.call(this.api.readFiles(files.map((file) => ({ blob: file, name: file.name })), columns));
  }

  previewTable(table: UserTable, devFraction: number, seed: number, embeddingFrom: string): Promise<TablePreview> {
    return this.call(this.api.previewTable(table, devFraction, seed, embeddingFrom));
  }

  train(settings: UserTrainSettings, embeddingFrom: string, onEvent: (event: TrainEvent) => void): Promise<TrainOutcome> {
    return this.call(this.api.train(settings, embeddingFrom, Comlink.proxy(onEvent)));
  }

  resumeRun(id: string, onEvent: (event: TrainEvent) => void): Promise<TrainOutcome> {
    return this.call(this.api.resumeRun(id, Comlink.proxy(onEvent)));
  }

  pause(): Promise<void> {
    return this.call(this.api.pause());
  }

  unpause(): Promise<void> {
    return this.call(this.api.unpause());
  }

  cancel(): Promise<void> {
    return this.call(this.api.cancel());
  }

  interruptedRuns(): Promise<InterruptedRun[]> {
    return this.call(this.api.interruptedRuns());
  }

  discardRun(id: string): Promise<void> {
    return this.call(this.api.discardRun(id));
  }

  modelZip(id: string): Promise<{ bytes: Uint8Array; fileName: string }> {
    return this.call(this.api.modelZip(id));
  }

  listModels(): Promise<StoredModelInfo[]> {
    return this.call(this.api.listModels());
  }

  deleteModel(id: string): Promise<void> {
    return this.call(this.api.deleteModel(id));
  }

  dispose(): void {
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
