/**
 * What the page keeps across reloads, in IndexedDB (database `spikescope`): the models a person
 * trained (their files and card, loaded by the engine as `local:<id>`), a short list of them for the
 * model menu, and the checkpoint of a training run after each finished epoch, so a reload loses at
 * most the epoch under way. Works in the page and in workers alike.
 */
import type { TextCnnCheckpoint } from '../train/run';
import type { LabelledSet } from '../train/user-data';
import type { UserTrainSettings } from '../train/user-train';

const DATABASE = 'spikescope';
const VERSION = 1;
const MODELS = 'models';
const MODEL_INFO = 'model-info';
const RUNS = 'runs';

/** A trained model's files. */
export interface StoredModel {
  id: string;
  configText: string;
  weightBytes: Uint8Array;
  card: string;
}

/** A trained model in the model menu. */
export interface StoredModelInfo {
  id: string;
  name: string;
  language: 'en' | 'zh';
  createdAt: string;
  /** Accuracy of the SNN on the dev texts, and of its ANN twin. */
  devAccuracy: number;
  annDevAccuracy: number;
  bytes: number;
}

/** A training run: what it trains on and with, and its checkpoint after the last finished epoch. */
export interface StoredRun {
  id: string;
  name: string;
  startedAt: string;
  set: LabelledSet;
  settings: UserTrainSettings;
  /** The default model whose GloVe table it reads (English). */
  embeddingFrom: string | null;
  checkpoint: TextCnnCheckpoint | null;
}

/** The prefix of a stored model's path in the model menu and `?model=`. */
export const LOCAL_MODEL_PREFIX = 'local:';

/** IndexedDB is missing (a private window of some browsers) or refused: nothing is kept. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  if (opening) return opening;
  opening = new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new StoreUnavailableError('This browser keeps no data for the page (no IndexedDB): trained models last until the page is closed.'));
      return;
    }
    const request = indexedDB.open(DATABASE, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const name of [MODELS, MODEL_INFO, RUNS]) if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: 'id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new StoreUnavailableError(`The page's storage could not be opened (${request.error?.message ?? 'refused'}): trained models last until the page is closed.`));
    request.onblocked = () => reject(new StoreUnavailableError('The page is open in another tab with an older version: close it and reload.'));
  });
  opening.catch(() => (opening = null));
  return opening;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function finished(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
  });
}

/** Keeps a trained model and its menu entry (one transaction: both or neither). */
export async function saveModel(model: StoredModel, info: StoredModelInfo): Promise<void> {
  const db = await open();
  const transaction = db.transaction([MODELS, MODEL_INFO], 'readwrite');
  transaction.objectStore(MODELS).put(model);
  transaction.objectStore(MODEL_INFO).put(info);
  await finished(transaction);
}

/** A kept model's files, or null. */
export async function loadStoredModel(id: string): Promise<StoredModel | null> {
  const db = await open();
  return ((await done(db.transaction(MODELS).objectStore(MODELS).get(id))) as StoredModel | undefined) ?? null;
}

/** The kept models, newest first. */
export async function listModels(): Promise<StoredModelInfo[]> {
  const db = await open();
  const all = (await done(db.transaction(MODEL_INFO).objectStore(MODEL_INFO).getAll())) as StoredModelInfo[];
  return all.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

/** Forgets a kept model. */
export async function deleteModel(id: string): Promise<void> {
  const db = await open();
  const transaction = db.transaction([MODELS, MODEL_INFO], 'readwrite');
  transaction.objectStore(MODELS).delete(id);
  transaction.objectStore(MODEL_INFO).delete(id);
  await finished(transaction);
}

/** Writes a run (its checkpoint replaces the previous one). */
export async function saveRun(run: StoredRun): Promise<void> {
  const db = await open();
  const transaction = db.transaction(RUNS, 'readwrite');
  transaction.objectStore(RUNS).put(run);
  await finished(transaction);
}

/** The runs not finished (a reload or a closed tab stopped them). */
export async function listRuns(): Promise<StoredRun[]> {
  const db = await open();
  return (await done(db.transaction(RUNS).objectStore(RUNS).getAll())) as StoredRun[];
}

export async function loadRun(id: string): Promise<StoredRun | null> {
  const db = await open();
  return ((await done(db.transaction(RUNS).objectStore(RUNS).get(id))) as StoredRun | undefined) ?? null;
}

export async function deleteRun(id: string): Promise<void> {
  const db = await open();
  const transaction = db.transaction(RUNS, 'readwrite');
  transaction.objectStore(RUNS).delete(id);
  await finished(transaction);
}

/** A fresh id (time and randomness: unique within a browser profile). */
export function newId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
