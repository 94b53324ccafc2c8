/**
 * The knobs of training on a person's own texts (the app's Train view, `spikescope train --file`),
 * their defaults and bounds: small and free of the trainer, so the page loads them without it.
 */
import { DataError } from '../data/dataset';

/** The methods a person can pick: Su et al.'s lossless BIF TextCNN, or Lv et al.'s IF TextCNN by conversion. */
export type UserMethod = 'su-bif' | 'lv-if';
/** The input table: the shipped GloVe words (English), or characters learned with the model. */
export type UserTable = 'glove' | 'characters';

/** The knobs of the Train view (and of `spikescope train --file`). */
export interface UserTrainSettings {
  method: UserMethod;
  table: UserTable;
  epochs: number;
  /** su-bif: levels of the hidden layer's quantiser (spikes per neuron at most, minus one). */
  levels: number;
  /** Time steps T the model runs by default. */
  numSteps: number;
  learningRate: number;
  /** Share of the texts held out to choose the epoch and report the SNN against its ANN. */
  devFraction: number;
  seed: number;
  name: string;
}

/** Defaults of a method: those of the shipped models of that method (few epochs: the page trains while a person waits). */
export function defaultUserSettings(method: UserMethod, table: UserTable): Omit<UserTrainSettings, 'name'> {
  return {
    method,
    table,
    epochs: 6,
    levels: table === 'characters' ? 4 : 8,
    numSteps: method === 'su-bif' ? 8 : 16,
    learningRate: 3e-3,
    devFraction: 0.1,
    seed: 1,
  };
}

/** Bounds of the knobs, checked before anything is allocated. */
export const USER_SETTING_LIMITS = {
  epochs: [1, 100],
  levels: [2, 64],
  numSteps: [1, 256],
  learningRate: [1e-5, 0.1],
  devFraction: [0.02, 0.5],
} as const;

/** Refuses settings out of bounds, in one line naming the knob. */
export function checkUserSettings(settings: UserTrainSettings): void {
  if (settings.method !== 'su-bif' && settings.method !== 'lv-if') throw new DataError(`method must be su-bif or lv-if, not ${String(settings.method)}`);
  if (settings.table !== 'glove' && settings.table !== 'characters') throw new DataError(`table must be glove or characters, not ${String(settings.table)}`);
  for (const [key, [low, high]] of Object.entries(USER_SETTING_LIMITS) as [keyof typeof USER_SETTING_LIMITS, readonly [number, number]][]) {
    const value = settings[key];
    if (!Number.isFinite(value) || value < low || value > high) throw new DataError(`${key} must be between ${low} and ${high}, got ${value}`);
  }
  if (!Number.isInteger(settings.epochs) || !Number.isInteger(settings.levels) || !Number.isInteger(settings.numSteps)) throw new DataError('epochs, levels and steps are whole numbers');
  if (!Number.isInteger(settings.seed) || settings.seed < 0 || settings.seed > 0xffffffff) throw new DataError(`seed must be a whole number from 0 to ${0xffffffff}`);
}

/** `1m05s`, `42s`, or `?` for an unknown time. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
