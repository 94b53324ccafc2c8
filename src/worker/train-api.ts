import type { BatchProgress, EpochRecord } from '../train/run';
import type { ChosenColumns } from '../data/labelled-text';
import type { UnknownWords, UserTable, UserTrainSettings } from '../train/user-train';
import type { StoredModelInfo } from './model-store';

/** A training file as the Train view shows it before training. */
export interface TrainingPreview {
  files: string[];
  layout: string;
  classes: string[];
  counts: number[];
  total: number;
  /** A few texts of each class. */
  examples: { text: string; label: string }[];
  /** A table's header and the columns read (the view offers the others). */
  header?: { fields: string[]; chosen: ChosenColumns };
  suggestedTable: UserTable;
}

/** What the texts look like to a table, before training. */
export interface TablePreview {
  table: UserTable;
  unknown: UnknownWords;
  train: number;
  dev: number;
  /** Words (GloVe) or characters seen twice (learned table). */
  vocabulary: number;
}

/** Progress of a run, as the view draws it. */
export type TrainEvent =
  | { kind: 'started'; runId: string; backend: string; batches: number; train: number; dev: number; resumedAfter: number }
  | { kind: 'batch'; progress: BatchProgress }
  | { kind: 'epoch'; history: EpochRecord[]; bestEpoch: number }
  | { kind: 'phase'; text: string };

/** A finished run: the model kept in the page, its card, and its dev evaluation. */
export interface TrainOutcome {
  info: StoredModelInfo;
  path: string;
  card: string;
  history: EpochRecord[];
  bestEpoch: number;
  numSteps: number;
  secondsPerEpoch: number;
  backend: string;
}

/** A run a reload interrupted, to resume or discard. */
export interface InterruptedRun {
  id: string;
  name: string;
  startedAt: string;
  epochsDone: number;
  epochs: number;
  history: EpochRecord[];
}

/** The training worker's API (comlink). One run at a time. */
export interface TrainApi {
  /** Reads the files (one labelled file, or one file per class); `columns` picks a table's text and label columns. */
  readFiles(files: { blob: Blob; name: string }[], columns?: ChosenColumns): Promise<TrainingPreview>;
  /** The unknown-word share and split sizes of the files read, for a table (loads the GloVe words of `embeddingFrom` once). */
  previewTable(table: UserTable, devFraction: number, seed: number, embeddingFrom: string): Promise<TablePreview>;
  /** Trains on the files read; resolves when the model is kept (or rejects: CancelledError, DataError…). */
  train(settings: UserTrainSettings, embeddingFrom: string, onEvent: (event: TrainEvent) => void): Promise<TrainOutcome>;
  /** Goes on with a run a reload interrupted, from its last finished epoch. */
  resumeRun(id: string, onEvent: (event: TrainEvent) => void): Promise<TrainOutcome>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** Stops the run under way; its checkpoint is dropped. */
  cancel(): Promise<void>;
  interruptedRuns(): Promise<InterruptedRun[]>;
  discardRun(id: string): Promise<void>;
  /** A kept model as one zip of its folder (model.json, weights.safetensors, README.md). */
  modelZip(id: string): Promise<{ bytes: Uint8Array; fileName: string }>;
  listModels(): Promise<StoredModelInfo[]>;
  deleteModel(id: string): Promise<void>;
}
