import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { MembraneTrace } from '../engine/types';
import type { NeuronInfo } from './raster-layout';
import { baseStyles, chartStyles } from './theme';

const WIDTH = 420;
const HEIGHT = 170;
const PAD = { left: 40, right: 10, top: 14, bottom: 24 };

/**
 * The membrane potential of the selected neuron over time: `h` at each step (after the input
 * charged it, before it fired), the threshold θ as a dashed line, and the steps where it spiked.
 * A neuron over the words runs through the whole sentence: its words' windows are marked.
 */
@customElement('snn-membrane')
export class SnnMembrane extends LitElement {
  static override styles = [
    baseStyles,
    chartStyles,
    css`
      .caption {
        font-size: 12px;
        color: var(--snn-muted);
        margin: 0 0 4px;
        overflow-wrap: anywhere;
      }
      .empty {
        color: var(--snn-muted);
        font-size: 13px;
        border: 1px dashed var(--snn-border-strong);
        border-radius: 6px;
        padding: 16px 12px;
        text-align: center;
      }
      .axis {
        font-size: 10px;
        fill: #5b6476;
        font-family: var(--snn-font);
      }
    `,
  ];

  @property({ attribute: false }) info: NeuronInfo | null = null;
  @property({ attribute: false }) trace: MembraneTrace | null = null;
  /** The neuron's spike at each step (from the layer's spike train). */
  @property({ attribute: false }) spikes: Float32Array | null = null;
  /** Why there is no trace (e.g. waiting for it, or not recorded for this layer). */
  @property() note: string | null = null;
  /** A neuron over the words: each word's window of steps, marked on the time axis with its token. */
  @property({ attribute: false }) words: { window: number; tokens: readonly string[] } | null = null;

  private chart(trace: MembraneTrace, spikes: Float32Array | null) {
    const values = Array.from(trace.potential);
    const steps = values.length;
    const theta = trace.vThreshold;
    const low = Math.min(0, ...values);
    const high = Math.max(theta * 1.15, ...values);
    const plotWidth = WIDTH - PAD.left - PAD.right;
    const plotHeight = HEIGHT - PAD.top - PAD.bottom;
    const x = (step: number) => PAD.left + ((step + 0.5) / steps) * plotWidth;
    const y = (value: number) => PAD.top + (1 - (value - low) / (high - low || 1)) * plotHeight;
    const line = values.map((value, step) => `${x(step).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
    const tickEvery = Math.max(1, Math.ceil(steps / 8));
    const dots = steps <= 64;
    const words = this.words;
    const wordCount = words ? Math.ceil(steps / words.window) : 0;
    const labelEvery = Math.max(1, Math.ceil(wordCount / 8));
    return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label=${`Membrane potential over ${steps} steps${words ? ` (${wordCount} words of ${words.window} steps)` : ''}, threshold ${theta.toFixed(2)}`} data-testid="membrane-chart">
      ${svg`
        <rect x=${PAD.left} y=${PAD.top} width=${plotWidth} height=${plotHeight} fill="#fafbfc" stroke="#e1e4ea" />
        <line x1=${PAD.left} x2=${WIDTH - PAD.right} y1=${y(0)} y2=${y(0)} stroke="#c5cbd6" />
        <line x1=${PAD.left} x2=${WIDTH - PAD.right} y1=${y(theta)} y2=${y(theta)} stroke="#e8590c" stroke-dasharray="5 4" />
        <text class="axis" x=${WIDTH - PAD.right - 2} y=${y(theta) - 4} text-anchor="end" fill="#e8590c">θ = ${theta.toFixed(2)}</text>
        <text class="axis" x=${PAD.left - 5} y=${y(high) + 4} text-anchor="end">${high.toFixed(2)}</text>
        <text class="axis" x=${PAD.left - 5} y=${y(0) + 3} text-anchor="end">0</text>
        ${y(low) - y(0) > 12 ? svg`<text class="axis" x=${PAD.left - 5} y=${y(low)} text-anchor="end">${low.toFixed(2)}</text>` : nothing}
        ${spikes
          ? Array.from(spikes).map((spike, step) =>
              spike === 0 ? nothing : svg`<line x1=${x(step)} x2=${x(step)} y1=${PAD.top} y2=${PAD.top + plotHeight} stroke=${spike > 0 ? '#2b4bb0' : '#b42318'} stroke-opacity="0.22" stroke-width="3" />`,
            )
          : nothing}
        <polyline points=${line} fill="none" stroke="#1a2030" stroke-width="1.6" stroke-linejoin="round" />
        ${dots ? values.map((value, step) => svg`<circle cx=${x(step)} cy=${y(value)} r="2.4" fill=${spikes && spikes[step] !== 0 ? '#2b4bb0' : '#1a2030'} />`) : nothing}
        ${words
          ? Array.from({ length: wordCount }, (_, word) => {
              const left = PAD.left + ((word * words.window) / steps) * plotWidth;
              const token = words.tokens[word] ?? '∅';
              return svg`${word > 0 ? svg`<line x1=${left} x2=${left} y1=${PAD.top} y2=${PAD.top + plotHeight} stroke="#c5cbd6" stroke-dasharray="2 3" />` : nothing}
                ${word % labelEvery === 0 ? svg`<text class="axis" x=${left + 2} y=${HEIGHT - 8}>${token.length > 10 ? `${token.slice(0, 9)}…` : token}</text>` : nothing}`;
            })
          : Array.from({ length: steps }, (_, step) => step)
              .filter((step) => step % tickEvery === 0)
              .map((step) => svg`<text class="axis" x=${x(step)} y=${HEIGHT - 8} text-anchor="middle">${step + 1}</text>`)}
      `}
    </svg>`;
  }

  override render() {
    const info = this.info;
    if (!info) return html`<div class="empty">Click a neuron in the raster to see its membrane potential.</div>`;
    const count = this.spikes ? Array.from(this.spikes).reduce((total, spike) => total + Math.abs(spike), 0) : null;
    return html`
      <p class="caption">
        <b>${info.layer} · neuron ${info.neuron}</b>${info.position !== null ? html` · position ${info.position + 1} “${info.token}”` : nothing} · ${info.role}${count !== null
          ? html` · <b>${count} spike${count === 1 ? '' : 's'}</b>`
          : nothing}
      </p>
      ${this.trace ? this.chart(this.trace, this.spikes) : html`<div class="empty" data-testid="membrane-note">${this.note ?? 'Recording the membrane potential…'}</div>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-membrane': SnnMembrane;
  }
}
