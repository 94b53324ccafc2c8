import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { baseStyles } from './theme';

const HEIGHT = 140;

/**
 * Spike events per token position of a layer, summed over its neurons and steps: the aggregate the
 * app shows instead of a full raster for texts too long to record spike trains for. Positions are
 * binned into the canvas's pixel columns (the busiest position of each column is drawn), so a
 * 100,000-word text draws as fast as a sentence.
 */
@customElement('snn-position-activity')
export class SnnPositionActivity extends LitElement {
  static override styles = [
    baseStyles,
    css`
      canvas {
        display: block;
        width: 100%;
        height: ${HEIGHT}px;
        border: 1px solid var(--snn-border);
        border-radius: 6px;
        background: #fff;
      }
    `,
  ];

  /** Events per position. */
  @property({ attribute: false }) perPosition: Float32Array | null = null;
  @property() layer = '';
  @state() private width = 0;
  @query('canvas') private canvas!: HTMLCanvasElement;
  private observer: ResizeObserver | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.observer = new ResizeObserver((entries) => (this.width = Math.floor(entries[0].contentRect.width)));
    this.updateComplete.then(() => this.observer?.observe(this.canvas));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
  }

  protected override updated(changed: PropertyValues): void {
    if (!this.perPosition || this.width === 0 || !(changed.has('perPosition') || changed.has('width'))) return;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(this.width * dpr);
    this.canvas.height = Math.round(HEIGHT * dpr);
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const values = this.perPosition;
    const columns = Math.max(1, Math.min(values.length, Math.floor(this.width - 16)));
    const peaks = new Float32Array(columns);
    values.forEach((value, position) => {
      const column = Math.floor((position / values.length) * columns);
      peaks[column] = Math.max(peaks[column], value);
    });
    const highest = Math.max(1e-9, ...peaks);
    const barWidth = (this.width - 16) / columns;
    ctx.fillStyle = '#2b4bb0';
    peaks.forEach((peak, column) => {
      const height = (peak / highest) * (HEIGHT - 28);
      ctx.fillRect(8 + column * barWidth, HEIGHT - 18 - height, Math.max(1, barWidth - (barWidth > 3 ? 1 : 0)), height);
    });
    ctx.fillStyle = '#5b6476';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText('position 1', 8, HEIGHT - 4);
    ctx.textAlign = 'right';
    ctx.fillText(`position ${values.length.toLocaleString('en-US')}`, this.width - 8, HEIGHT - 4);
  }

  override render() {
    return html`<canvas role="img" aria-label=${`Spike events per position of ${this.layer}`} data-testid="position-activity"></canvas>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-position-activity': SnnPositionActivity;
  }
}
