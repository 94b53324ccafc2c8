/** Errors of the engine, named so that they survive the worker boundary by `name`. */

/** Bad input from the caller (empty text, impossible options); the message says what to change. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A request replaced by a newer one, or cancelled. */
export class CancelledError extends Error {
  override name = 'CancelledError';
}

/**
 * The model computed a score that is not a finite number (its weights or thresholds overflow
 * float32 on this input): no label is given, since any label would be arbitrary.
 */
export class ModelOutputError extends Error {
  override name = 'ModelOutputError';
}
