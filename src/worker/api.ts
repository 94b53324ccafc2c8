import type { InputForm } from '../ui/encoding-fit';
import type { NirGraphSummary, NirRunRequest, NirRunResult } from '../nir/session';
import type { BackendChoice } from '../engine/types';
import type { BatchResult, RunOptions } from '../engine/types';
import type { BatchFileSummary } from '../ui/batch-file';
import type { BatchRow, BatchSummary } from '../ui/batch-summary';

/** What the app knows of a model before and after loading it. */
export interface ModelSummary {
  url: string;
  name: string;
  description: string;
  language: string;
  /** How the model splits text into tokens (the UI estimates a text's length with it). */
  tokenizer: 'english' | 'chinese';
  classes: string[];
  /** Output neurons per class. */
  population: number;
  numSteps: number;
  defaultEncoding: 'rate' | 'direct';
  /** The input the model was made for (the Encoding menu marks the other choice). */
  input: InputForm;
  seed: number;
  vocabularySize: number;
  /** Every layer in order; a convolution also gives its branch widths and filters per branch. */
  /**
   * Every layer: `spiking` (rasters, traces and activity are drawn for it), a short `label`, and for
   * positional layers the tokens each channel covers (`spans`); convolutions also their widths and filters.
   */
  layers: { name: string; kind: string; positional: boolean; channels: number; spiking?: boolean; label?: string; spans?: number[]; widths?: number[]; filters?: number }[];
  metrics: unknown;
  provenance: unknown;
}

/** A finished batch as the page shows it: the scores, the first rows, and what to name the export. */
export interface BatchOutcome {
  name: string;
  total: number;
  labelled: boolean;
  summary: BatchSummary;
  /** The first rows (the export has all of them). */
  preview: BatchRow[];
  /** Labelled rows the SNN got wrong, the first `MISTAKES_SHOWN` of them, with their row numbers. */
  mistakes: (BatchRow & { row: number })[];
  /** How many labelled rows the SNN got wrong in all. */
  mistakeCount: number;
}

/** The engine's backend as the UI shows it. */
export interface EngineStatus {
  backend: 'gpu' | 'cpu';
  detail: string;
  hasTimestamps: boolean;
}

/**
 * The worker's API (exposed with comlink): coarse async methods; typed arrays in results are
 * transferred, not copied; errors cross by `name` (InputError, ModelFormatError, CancelledError, ...).
 */
export interface SpikescopeApi {
  /** Chooses the backend for the next requests: `auto` (WebGPU, else CPU), `gpu` or `cpu`. */
  configure(backend: BackendChoice): Promise<void>;
  status(): Promise<EngineStatus>;
  /** Loads the model folder at `url` (model.json and weights.safetensors). */
  loadModel(url: string): Promise<ModelSummary>;
  /**
   * Classifies one text; a newer call supersedes a running one, which stops at its next chunk of
   * positions and rejects with CancelledError. A long text reports its chunks to `onChunk`.
   */
  classify(text: string, options: RunOptions, onChunk?: (done: number, total: number) => void): Promise<BatchResult>;
  /**
   * Reads a batch file here, in the worker, in short steps (see batch-file.ts), and keeps its texts
   * for `classifyBatchFile`; the page gets a summary. A newer call cancels a running one (it
   * rejects with CancelledError); a file over the limits rejects with BatchFileError.
   */
  readBatchFile(file: Blob, name: string): Promise<BatchFileSummary>;
  /** Classifies the texts of the last file read, with progress; `cancelBatch` stops it within a batch of texts. */
  classifyBatchFile(options: RunOptions, onProgress?: (done: number, total: number) => void): Promise<BatchOutcome>;
  /** The last finished batch as CSV (see `batchCsv`). */
  exportBatchCsv(): Promise<Blob>;
  cancelBatch(): Promise<void>;
  /** Reads a `.nir` file here and keeps it for `runNir`; rejects with NirFormatError on a bad file. */
  openNir(file: Blob, name: string): Promise<NirGraphSummary>;
  /** Runs the open NIR graph (on the engine's GPU device, else the CPU reference); the traces are transferred. */
  runNir(request: NirRunRequest): Promise<NirRunResult>;
  /** The loaded text model as a `.nir` file (see src/nir/export.ts); `length` for a TextCNN. */
  exportNir(length?: number): Promise<NirExportFile>;
}

/** A model written as NIR, ready to download. */
export interface NirExportFile {
  bytes: Uint8Array;
  fileName: string;
  /** How to run and read it: layout, dt, reset, readout. */
  note: string;
}
