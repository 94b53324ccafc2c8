import { describe, expect, it } from 'vitest';
import { isCancelled, userMessage } from './client';

/** An error as it arrives through comlink: a plain Error carrying the engine's `name`. */
function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('userMessage', () => {
  it('maps engine errors by name to what a person can act on', () => {
    expect(userMessage(named('InputError', 'The text is empty: type something to classify.'))).toMatchObject({ kind: 'input', detail: 'The text is empty: type something to classify.' });
    expect(userMessage(named('ModelFormatError', 'model.json: bad'))).toMatchObject({ kind: 'model', title: 'The model could not be loaded', retry: true });
    const lost = userMessage(named('GpuDeviceLostError', 'The GPU device was lost during the run (unknown).'));
    expect(lost.kind).toBe('device-lost');
    expect(lost.detail).toMatch(/new device is acquired on the next request/);
    expect(lost.retry).toBe(true);
    expect(userMessage(named('WorkerCrashError', 'The engine worker failed.')).detail).toMatch(/Reload the page/);
    expect(userMessage(named('ModelOutputError', 'score is Infinity'))).toMatchObject({ kind: 'model', title: 'This model gives no valid answer', retry: false });
    expect(userMessage(named('ModelPathError', 'The model link "https://x" is an absolute https: URL'))).toMatchObject({ kind: 'model', title: 'This model link is not allowed', retry: false });
  });

  it('explains a failed fetch as a model that could not be loaded', () => {
    expect(userMessage(new TypeError('Failed to fetch'))).toMatchObject({ kind: 'model', title: 'The model could not be loaded' });
  });

  it('treats anything else as an internal error with its message', () => {
    expect(userMessage(new RangeError('boom'))).toMatchObject({ kind: 'internal', detail: 'boom' });
    expect(userMessage('plain string')).toMatchObject({ kind: 'internal', detail: 'plain string' });
  });

  it('recognises cancellation by name', () => {
    expect(isCancelled(named('CancelledError', 'Superseded by a newer request.'))).toBe(true);
    expect(isCancelled(named('InputError', 'x'))).toBe(false);
  });
});
