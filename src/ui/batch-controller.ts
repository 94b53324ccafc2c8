/**
 * Runs a batch through the engine client for the app and holds its state (running, progress,
 * rows, message), asking the host to re-render as it changes: a Lit reactive controller, so the
 * batch keeps running while the person looks at another view.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RunOptions } from '../engine/types';
import { isCancelled, userMessage, type SpikescopeClient } from '../worker/client';
import type { BatchRow } from './batch-summary';
import { batchRows } from './result-views';

/** What the batch panel shows. */
export interface BatchState {
  running: boolean;
  progress: { done: number; total: number } | null;
  rows: BatchRow[] | null;
  message: string | null;
}

/** One batch at a time, cancellable. */
export class BatchController implements ReactiveController {
  state: BatchState = { running: false, progress: null, rows: null, message: null };

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  private set(next: Partial<BatchState>): void {
    this.state = { ...this.state, ...next };
    this.host.requestUpdate();
  }

  /** Classifies `texts` with `options`; labels (when given) travel with the rows for scoring. */
  async run(client: SpikescopeClient, texts: string[], labels: (string | null)[] | null, options: RunOptions): Promise<void> {
    this.set({ running: true, progress: { done: 0, total: texts.length }, rows: null, message: null });
    try {
      const result = await client.classifyBatch(texts, options, (done, total) => this.set({ progress: { done, total } }));
      this.set({ running: false, progress: null, rows: batchRows(texts, labels, result) });
    } catch (error) {
      const problem = userMessage(error);
      const message = isCancelled(error) ? 'Cancelled: the batch stopped and its partial results were dropped.' : `${problem.title}: ${problem.detail}`;
      this.set({ running: false, progress: null, message });
    }
  }
}
