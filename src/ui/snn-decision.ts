import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { decidedAtStep, formatScore } from './decision';
import { baseStyles, chartStyles, classColour } from './theme';

const WIDTH = 420;
const HEIGHT = 170;
const PAD = { left: 36, right: 10, top: 12, bottom: 24 };

/**
 * How the decision forms: the output layer's cumulative spike count per class after each step,
 * one staircase line per class, and the step from which the winner leads for good.
 */
@customElement('snn-decision')
export class SnnDecision extends LitElement {
  static override styles = [
    baseStyles,
    chartStyles,
    css`
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        font-size: 12px;
        color: var(--snn-muted);
        margin: 0 0 4px;
      }
      .swatch {
        display: inline-block;
        width: 10px;
        height: 3px;
        border-radius: 2px;
        vertical-align: middle;
        margin-right: 4px;
      }
      .axis {
        font-size: 10px;
        fill: #5b6476;
        font-family: var(--snn-font);
      }
      .empty {
        color: var(--snn-muted);
        font-size: 13px;
      }
    `,
  ];

  /** `[T][classes]` output spikes summed up to each step. */
  @property({ attribute: false }) cumulative: readonly (readonly number[])[] | null = null;
  @property({ attribute: false }) classes: readonly string[] = [];
  @property({ type: Number }) winner = 0;
  /** A step to mark (0-based; the time scrubber), with the scores reached there. */
  @property({ type: Number }) step: number | null = null;

  override render() {
    const cumulative = this.cumulative;
    if (!cumulative || cumulative.length === 0) return html`<p class="empty">No output spikes recorded.</p>`;
    const steps = cumulative.length;
    const last = cumulative[steps - 1];
    const high = Math.max(1, ...cumulative.flat());
    const low = Math.min(0, ...cumulative.flat());
    const plotWidth = WIDTH - PAD.left - PAD.right;
    const plotHeight = HEIGHT - PAD.top - PAD.bottom;
    const x = (step: number) => PAD.left + (step / steps) * plotWidth;
    const y = (value: number) => PAD.top + (1 - (value - low) / (high - low)) * plotHeight;
    const decided = decidedAtStep(cumulative, this.winner);
    const marked = this.step !== null && this.step >= 0 && this.step < steps ? this.step : null;
    const tickEvery = Math.max(1, Math.ceil(steps / 8));
    const staircase = (c: number) => {
      const points = [`${x(0)},${y(0)}`];
      cumulative.forEach((counts, step) => points.push(`${x(step)},${y(counts[c])}`, `${x(step + 1)},${y(counts[c])}`));
      return points.join(' ');
    };
    return html`
      <p class="legend">
        ${this.classes.map(
          (name, c) => html`<span><span class="swatch" style="background:${classColour(c)}"></span>${name} <b class="num">${formatScore(last[c])}</b></span>`,
        )}
        ${decided !== null ? html`<span>· ${this.classes[this.winner]} leads from step ${decided + 1} of ${steps}</span>` : nothing}
      </p>
      ${marked !== null
        ? html`<p class="legend" data-testid="decision-at-step">at step ${marked + 1}: ${this.classes.map((name, c) => html`<span>${name} <b class="num">${formatScore(cumulative[marked][c])}</b></span>`)}</p>`
        : nothing}
      <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label=${`Cumulative scores per class over ${steps} steps`} data-testid="decision-chart">
        ${svg`
          <rect x=${PAD.left} y=${PAD.top} width=${plotWidth} height=${plotHeight} fill="#fafbfc" stroke="#e1e4ea" />
          ${decided !== null ? svg`<rect x=${x(decided)} y=${PAD.top} width=${x(steps) - x(decided)} height=${plotHeight} fill=${classColour(this.winner)} fill-opacity="0.06" />` : nothing}
          <text class="axis" x=${PAD.left - 5} y=${y(high) + 4} text-anchor="end">${formatScore(high)}</text>
          <text class="axis" x=${PAD.left - 5} y=${y(0) + 3} text-anchor="end">0</text>
          ${y(low) - y(0) > 12 ? svg`<text class="axis" x=${PAD.left - 5} y=${y(low)} text-anchor="end">${formatScore(low)}</text>` : nothing}
          ${this.classes.map((_, c) => svg`<polyline points=${staircase(c)} fill="none" stroke=${classColour(c)} stroke-width=${c === this.winner ? 2.2 : 1.5} stroke-linejoin="round" />`)}
          ${marked !== null ? svg`<line x1=${x(marked + 1)} x2=${x(marked + 1)} y1=${PAD.top} y2=${PAD.top + plotHeight} stroke="#e8590c" stroke-width="1.5" data-testid="decision-marker" />` : nothing}
          ${Array.from({ length: steps }, (_, step) => step)
            .filter((step) => step % tickEvery === 0)
            .map((step) => svg`<text class="axis" x=${x(step + 0.5)} y=${HEIGHT - 8} text-anchor="middle">${step + 1}</text>`)}
        `}
      </svg>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-decision': SnnDecision;
  }
}
