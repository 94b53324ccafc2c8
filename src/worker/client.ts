import type { BackendChoice } from '../engine/types';
/**
 * The page's side of the engine worker: starts `engine-worker.ts` as a module worker, wraps it with
 * comlink, and turns the errors that cross the boundary (by `name`) into messages for a person.
 * All engine work happens in the worker, so the page stays responsive whatever the text's size.
 */
import * as Comlink from 'comlink';
import type { BatchResult, RunOptions } from '../engine/types';
import type { BatchFileSummary } from '../ui/batch-file';
import type { BatchOutcome, EngineStatus, ModelSummary, NirExportFile, SpikescopeApi } from './api';
import type { NirGraphSummary, NirRunRequest, NirRunResult } from '../nir/session';
import { LOCAL_MODEL_PREFIX } from './model-store';

/** What kind of problem an error is, for how the UI shows it. */
export type ProblemKind = 'cancelled' | 'input' | 'model' | 'device-lost' | 'gpu' | 'worker' | 'internal';

/** An error as the page shows it: a short title, the detail, and whether trying again can help. */
export interface UserMessage {
  kind: ProblemKind;
  title: string;
  detail: string;
  retry: boolean;
}

/** The worker itself stopped (a crash, or memory exhausted); the page has to be reloaded. */
export class WorkerCrashError extends Error {
  override name = 'WorkerCrashError';
}

/**
 * Rejects with `WorkerCrashError` when `worker` fails (it could not start, or ran out of memory), so
 * a call to it can race this and not wait for ever; never rejects unhandled.
 */
export function workerCrash(worker: Worker, what: string): Promise<never> {
  const crashed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => reject(new WorkerCrashError(`The ${what} worker failed: ${event.message || 'it could not start or ran out of memory'}.`)));
  });
  crashed.catch(() => undefined);
  return crashed;
}

function errorOf(error: unknown): { name: string; message: string } {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : String(message) };
  }
  return { name: 'Error', message: String(error) };
}

/** Maps an error from the engine (by its `name`) to a message for a person. */
export function userMessage(error: unknown): UserMessage {
  const { name, message } = errorOf(error);
  switch (name) {
    case 'CancelledError':
      return { kind: 'cancelled', title: 'Cancelled', detail: message, retry: false };
    case 'InputError':
    case 'DataError':
    case 'StoreUnavailableError':
    case 'BatchFileError':
      return { kind: 'input', title: 'Check the input', detail: message, retry: false };
    case 'GpuLimitError':
      return { kind: 'input', title: 'Too large for this GPU', detail: message, retry: false };
    case 'NirFormatError':
      return { kind: 'input', title: 'This NIR graph cannot be run here', detail: message, retry: false };
    case 'ModelFormatError':
    case 'ModelIndexError':
      return { kind: 'model', title: 'The model could not be loaded', detail: message, retry: true };
    case 'ModelPathError':
      return { kind: 'model', title: 'This model link is not allowed', detail: message, retry: false };
    case 'ModelOutputError':
      return { kind: 'model', title: 'This model gives no valid answer', detail: message, retry: false };
    case 'UnsupportedNetworkError':
      return { kind: 'model', title: 'This model’s network is not supported', detail: message, retry: false };
    case 'GpuDeviceLostError':
      return { kind: 'device-lost', title: 'The GPU device was lost', detail: `${message} A new device is acquired on the next request.`, retry: true };
    case 'GpuUnavailableError':
      return { kind: 'gpu', title: 'WebGPU is not available', detail: message, retry: false };
    case 'WorkerCrashError':
      return { kind: 'worker', title: 'The engine stopped', detail: `${message} Reload the page to start it again.`, retry: false };
    case 'TypeError':
      if (/fetch|network/i.test(message)) {
        return { kind: 'model', title: 'The model could not be loaded', detail: `Its files could not be fetched (${message}). Check that the site is served with its models folder.`, retry: true };
      }
      break;
  }
  return { kind: 'internal', title: 'Something went wrong in the engine', detail: message || name, retry: true };
}

/** True for the error a superseded or cancelled request rejects with. */
export function isCancelled(error: unknown): boolean {
  return errorOf(error).name === 'CancelledError';
}

/**
 * The engine as the page uses it: the worker's API, with model URLs resolved against the page.
 * Interactive requests are coalesced here: at most one is in the worker and one waits; a newer
 * request replaces the waiting one (which rejects with a CancelledError). The worker cannot
 * interrupt a running inference anyway, and on the CPU it does not even read its messages until
 * the inference ends, so this is what keeps stale texts from queueing up.
 */
export class SpikescopeClient {
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<SpikescopeApi>;
  private readonly crashed: Promise<never>;

  constructor() {
    this.worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'spikescope-engine' });
    this.api = Comlink.wrap<SpikescopeApi>(this.worker);
    this.crashed = workerCrash(this.worker, 'engine');
  }

  /** A call to the worker that also fails if the worker dies while it runs. */
  private call<T>(request: Promise<T>): Promise<T> {
    return Promise.race([request, this.crashed]);
  }

  /** Chooses the backend: `auto` (WebGPU, else the CPU), `gpu` or `cpu`. */
  configure(backend: BackendChoice): Promise<void> {
    return this.call(this.api.configure(backend));
  }

  /** The backend the next request runs on (acquires a GPU device if needed). */
  status(): Promise<EngineStatus> {
    return this.call(this.api.status());
  }

  /** Loads a model folder; `path` is relative to the page (the worker's own URL is elsewhere). */
  async loadModel(path: string): Promise<ModelSummary> {
    try {
      return await this.call(this.api.loadModel(path.startsWith(LOCAL_MODEL_PREFIX) ? path : new URL(path, document.baseURI).href));
    } catch (error) {
      // A server with a single-page fallback answers a missing file with the page itself.
      const { name, message } = errorOf(error);
      if (name === 'ModelFormatError' && /answered model\.json with an HTML page/.test(message)) {
        throw Object.assign(new Error(`No model at "${path}": the server sent a web page instead of ${path}/model.json, so the folder probably does not exist.`), { name });
      }
      throw error;
    }
  }

  /**
   * Classifies one text. It is sent at once: the worker runs the newest request, and a running one
   * stops at its next chunk of positions (rejecting with a CancelledError), so a long text never
   * delays the label of the text typed after it. `onChunk` follows a long text's progress.
   */
  classify(text: string, options: RunOptions, onChunk?: (done: number, total: number) => void): Promise<BatchResult> {
    return this.call(this.api.classify(text, options, onChunk ? Comlink.proxy(onChunk) : undefined));
  }

  /**
   * Reads a batch file in the worker (the File is handed over, not read here), so the page stays
   * responsive whatever its size; a newer call cancels an older one.
   */
  readBatchFile(file: File): Promise<BatchFileSummary> {
    return this.call(this.api.readBatchFile(file, file.name));
  }

  /** Classifies the texts of the last file read, reporting progress; `cancelBatch` stops it. */
  classifyBatchFile(options: RunOptions, onProgress: (done: number, total: number) => void): Promise<BatchOutcome> {
    return this.call(this.api.classifyBatchFile(options, Comlink.proxy(onProgress)));
  }

  /** The last finished batch as a CSV file. */
  exportBatchCsv(): Promise<Blob> {
    return this.call(this.api.exportBatchCsv());
  }

  cancelBatch(): Promise<void> {
    return this.call(this.api.cancelBatch());
  }

  /** Reads a `.nir` file in the worker; the page gets the graph's summary. */
  openNir(file: File): Promise<NirGraphSummary> {
    return this.call(this.api.openNir(file, file.name));
  }

  /** Runs the open NIR graph. */
  runNir(request: NirRunRequest): Promise<NirRunResult> {
    return this.call(this.api.runNir(request));
  }

  /** The loaded model as a `.nir` file. */
  exportNir(length?: number): Promise<NirExportFile> {
    return this.call(this.api.exportNir(length));
  }

  /** Stops the worker. */
  dispose(): void {
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
