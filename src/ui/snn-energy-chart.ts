import { LitElement, css, html, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { EnergyReport } from '../model/energy';
import { formatEnergy } from './energy-view';
import { baseStyles, chartStyles } from './theme';

const ROW = 30;
const LABEL = 110;
/** Drawn at the element's own width (so text keeps its size on a phone), never narrower than this. */
const MIN_WIDTH = 300;

/** ANN and SNN colours of the energy bars. */
const ANN_COLOUR = '#8a92a3';
const SNN_COLOUR = '#2b4bb0';

/**
 * Energy per layer as paired horizontal bars, ANN (grey) against SNN (blue), on one linear scale,
 * so the layer that dominates the bill is plain to see, or on a logarithmic one, where the small
 * layers show too. Layers that cost nothing in either network are left out. The chart is drawn at
 * its own width in CSS pixels, so its text stays readable on a narrow screen.
 */
@customElement('snn-energy-chart')
export class SnnEnergyChart extends LitElement {
  static override styles = [
    baseStyles,
    chartStyles,
    css`
      .label {
        font-size: 11px;
        fill: #1a2030;
        font-family: var(--snn-font);
      }
      .value {
        font-size: 10px;
        fill: #5b6476;
        font-family: var(--snn-font);
      }
      :host {
        display: block;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 14px;
        font-size: 12px;
        color: var(--snn-muted);
        margin-bottom: 4px;
      }
    `,
  ];

  @property({ attribute: false }) report: EnergyReport | null = null;
  @state() private logScale = false;
  @state() private width = 560;
  private resizeObserver: ResizeObserver | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver((entries) => {
      const measured = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (measured > 0 && Math.abs(measured - this.width) > 1) this.width = measured;
    });
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
  }

  override render() {
    const report = this.report;
    if (!report) return html``;
    const width = Math.max(MIN_WIDTH, this.width);
    const rows = report.layers.filter((row) => row.annEnergyPicojoules > 0 || row.snnEnergyPicojoules > 0);
    const values = rows.flatMap((row) => [row.annEnergyPicojoules, row.snnEnergyPicojoules]).filter((value) => value > 0);
    const largest = Math.max(1e-12, ...values);
    // Log scale: bars from a hundredth of the smallest value up, so the smallest still shows.
    const floor = Math.min(...values) / 100;
    const fraction = (value: number) => (value <= 0 ? 0 : this.logScale ? Math.log(value / floor) / Math.log(largest / floor) : value / largest);
    const barRoom = width - LABEL - 70;
    const height = rows.length * ROW + 6;
    const bar = (value: number, y: number, colour: string) => svg`
      <rect x=${LABEL} y=${y} width=${Math.max(value > 0 ? 1 : 0, fraction(value) * barRoom)} height="10" rx="2" fill=${colour} />
      <text class="value" x=${LABEL + Math.max(0, fraction(value) * barRoom) + 5} y=${y + 9}>${formatEnergy(value)}</text>`;
    return html`
      <div class="legend">
        <span><span class="swatch" style="background:${ANN_COLOUR}"></span>ANN</span>
        <span><span class="swatch" style="background:${SNN_COLOUR}"></span>SNN</span>
        <label><input type="checkbox" .checked=${this.logScale} @change=${(event: Event) => (this.logScale = (event.target as HTMLInputElement).checked)} /> logarithmic scale (shows the small layers)</label>
      </div>
      <svg width=${width} height=${height} viewBox="0 0 ${width} ${height}" role="img" aria-label="Energy per layer, ANN against SNN, ${this.logScale ? 'logarithmic' : 'linear'} scale" data-testid="energy-chart">
        ${rows.map(
          (row, i) => svg`
            <text class="label" x=${LABEL - 8} y=${i * ROW + 15} text-anchor="end">${row.name}</text>
            ${bar(row.annEnergyPicojoules, i * ROW + 3, ANN_COLOUR)}
            ${bar(row.snnEnergyPicojoules, i * ROW + 15, SNN_COLOUR)}`,
        )}
      </svg>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-energy-chart': SnnEnergyChart;
  }
}
