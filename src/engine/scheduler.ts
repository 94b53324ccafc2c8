import { CancelledError } from './errors';

/**
 * Runs one request at a time, latest wins: a new request aborts the running one (its signal fires
 * and it rejects with `CancelledError` once it stops) and replaces any request still waiting, so a
 * person typing faster than the GPU answers never waits behind a queue of stale texts.
 */
export class LatestWinsScheduler {
  private running: { controller: AbortController; done: Promise<unknown> } | null = null;
  private waiting: { reject: (error: Error) => void } | null = null;

  async submit<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.running?.controller.abort();
    if (this.waiting) {
      this.waiting.reject(new CancelledError('Superseded by a newer request.'));
      this.waiting = null;
    }
    while (this.running) {
      const previous = this.running.done;
      const stillWanted = await new Promise<boolean>((resolve) => {
        this.waiting = { reject: () => resolve(false) };
        previous.then(
          () => resolve(true),
          () => resolve(true),
        );
      });
      if (!stillWanted) throw new CancelledError('Superseded by a newer request.');
      this.waiting = null;
    }
    const controller = new AbortController();
    const done = task(controller.signal);
    const entry = { controller, done };
    this.running = entry;
    try {
      const result = await done;
      if (controller.signal.aborted) throw new CancelledError('Superseded by a newer request.');
      return result;
    } finally {
      if (this.running === entry) this.running = null;
    }
  }

  /** Aborts the running request and drops the waiting one. */
  cancel(): void {
    this.running?.controller.abort();
    this.waiting?.reject(new CancelledError('Cancelled.'));
    this.waiting = null;
  }
}
