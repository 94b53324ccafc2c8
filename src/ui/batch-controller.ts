/**
 * Runs a batch through the engine client for the app and holds its state (running, progress,
 * rows, message), asking the host to re-render as it changes: a Lit reactive controller, so the
 * batch keeps running while the person looks at another view.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RunOptions } from '../engine/types';
import { isCancelled, userMessage, type SpikescopeClient } from '../worker/client';
import type { BatchOutcome } from '../worker/api';

/** What the batch panel shows. */
export interface BatchState {
  running: boolean;
  progress: { done: number; total: number } | null;
  outcome: BatchOutcome | null;
  message: string | null;
}

/** One batch at a time, cancellable. */
export class BatchController implements ReactiveController {
  state: BatchState = { running: false, progress: null, outcome: null, message: null };

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  private set(next: Partial<BatchState>): void {
    this.state = { ...this.state, ...next };
    this.host.requestUpdate();
  }

  /** Classifies the texts of the file last read in the worker (`client.readBatchFile`) with `options`. */
  async run(client: SpikescopeClient, total: number, options: RunOptions): Promise<void> {
    this.set({ running: true, progress: { done: 0, total }, outcome: null, message: null });
    try {
      const outcome = await client.classifyBatchFile(options, (done, all) => this.set({ progress: { done, total: all } }));
      this.set({ running: false, progress: null, outcome });
    } catch (error) {
      const problem = userMessage(error);
      const message = isCancelled(error) ? 'Cancelled: the batch stopped and its partial results were dropped.' : `${problem.title}: ${problem.detail}`;
      this.set({ running: false, progress: null, message });
    }
  }
}
