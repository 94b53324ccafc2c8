import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { EnergyReport } from '../model/energy';
import { formatEnergy } from './energy-view';
import { baseStyles, chartStyles } from './theme';

const ROW = 30;
const LABEL = 110;
const WIDTH = 560;

/** ANN and SNN colours of the energy bars. */
const ANN_COLOUR = '#8a92a3';
const SNN_COLOUR = '#2b4bb0';

/**
 * Energy per layer as paired horizontal bars, ANN (grey) against SNN (blue), on one linear scale,
 * so the layer that dominates the bill is plain to see. Layers that cost nothing in either network
 * are left out.
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
      .legend {
        display: flex;
        gap: 14px;
        font-size: 12px;
        color: var(--snn-muted);
        margin-bottom: 4px;
      }
      .swatch {
        display: inline-block;
        width: 10px;
        height: 10px;
        border-radius: 2px;
        margin-right: 4px;
        vertical-align: -1px;
      }
    `,
  ];

  @property({ attribute: false }) report: EnergyReport | null = null;

  override render() {
    const report = this.report;
    if (!report) return html``;
    const rows = report.layers.filter((row) => row.annEnergyPicojoules > 0 || row.snnEnergyPicojoules > 0);
    const largest = Math.max(1e-12, ...rows.flatMap((row) => [row.annEnergyPicojoules, row.snnEnergyPicojoules]));
    const barRoom = WIDTH - LABEL - 70;
    const height = rows.length * ROW + 6;
    const bar = (value: number, y: number, colour: string) => svg`
      <rect x=${LABEL} y=${y} width=${Math.max(value > 0 ? 1 : 0, (value / largest) * barRoom)} height="10" rx="2" fill=${colour} />
      <text class="value" x=${LABEL + Math.max(0, (value / largest) * barRoom) + 5} y=${y + 9}>${formatEnergy(value)}</text>`;
    return html`
      <div class="legend">
        <span><span class="swatch" style="background:${ANN_COLOUR}"></span>ANN</span>
        <span><span class="swatch" style="background:${SNN_COLOUR}"></span>SNN</span>
      </div>
      <svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Energy per layer, ANN against SNN" data-testid="energy-chart">
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
