/**
 * Tells listeners when a new result is on screen: after its raster has been drawn (the raster fires
 * `raster-drawn`), or, when there is no raster to draw (another view is open, or the text was too
 * long to record spike trains), once the views have rendered. The host then carries
 * `data-rendered-text` and fires `result-rendered` (detail `{ text, timings }`); the latency
 * benchmark and the browser tests wait on these.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Timings } from '../engine/types';

/** A host element that renders the results it announces. */
type Host = ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment };

/** Announces each new result once, when it is drawn. */
export class RenderAnnouncer implements ReactiveController {
  private pending: { text: string; timings: Timings } | null = null;
  private readonly onDrawn = () => this.announce();

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('raster-drawn', this.onDrawn);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('raster-drawn', this.onDrawn);
  }

  /** A result for `text` was just handed to the views. */
  async expect(text: string, timings: Timings): Promise<void> {
    this.pending = { text, timings };
    await this.host.updateComplete;
    const view = this.host.renderRoot.querySelector('snn-spikes-view') as (HTMLElement & { updateComplete: Promise<unknown>; renderRoot: ParentNode }) | null;
    if (view) await view.updateComplete;
    if (!view?.renderRoot.querySelector('snn-raster')) this.announce();
  }

  private announce(): void {
    if (!this.pending) return;
    const { text, timings } = this.pending;
    this.pending = null;
    this.host.dataset.renderedText = text.slice(0, 200);
    this.host.dispatchEvent(new CustomEvent('result-rendered', { detail: { text, timings }, bubbles: true, composed: true }));
  }
}
