import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SampleResult, Timings } from '../engine/types';
import { baseStyles, classColour } from './theme';
import { formatScore, scoreCapNote } from './decision';

/** Score bars of one network: each class's value as a share of the largest magnitude. */
function scoreBars(scores: readonly number[], classes: readonly string[], winner: number, format: (value: number) => string) {
  const largest = Math.max(1e-9, ...scores.map((score) => Math.abs(score)));
  return html`<div class="bars">
    ${classes.map(
      (name, i) => html`<div class="bar-row ${i === winner ? 'winner' : ''}">
        <span class="bar-name">${name}</span>
        <span class="bar-track"><span class="bar-fill" style="width:${(Math.max(0, scores[i]) / largest) * 100}%;background:${classColour(i)}"></span></span>
        <span class="bar-value num">${format(scores[i])}</span>
      </div>`,
    )}
  </div>`;
}

/**
 * The decision: the spiking network's label with its output spike counts, the ANN twin's label and
 * scores beside it, whether they agree, and how long the inference took on which backend.
 */
@customElement('snn-result')
export class SnnResult extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .pair {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 12px;
      }
      .net {
        border: 1px solid var(--snn-border);
        border-radius: var(--snn-radius);
        padding: 10px 12px;
        min-width: 0;
      }
      .net-name {
        font-size: 12px;
        color: var(--snn-muted);
      }
      .label {
        font-size: 22px;
        font-weight: 650;
        margin: 2px 0 6px;
        overflow-wrap: anywhere;
      }
      .bars {
        display: flex;
        flex-direction: column;
        gap: 3px;
      }
      .bar-row {
        display: grid;
        grid-template-columns: minmax(0, 76px) 1fr auto;
        gap: 6px;
        align-items: center;
        font-size: 12px;
        color: var(--snn-muted);
      }
      .bar-row.winner {
        color: var(--snn-text);
        font-weight: 600;
      }
      .bar-name {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .bar-track {
        height: 6px;
        background: #eef0f4;
        border-radius: 3px;
        overflow: hidden;
      }
      .bar-fill {
        display: block;
        height: 100%;
      }
      .footer {
        display: flex;
        flex-wrap: wrap;
        gap: 6px 12px;
        align-items: center;
        margin-top: 10px;
        font-size: 12px;
        color: var(--snn-muted);
      }
      .badge {
        border-radius: 999px;
        padding: 1px 9px;
        font-weight: 600;
      }
      .agree {
        background: var(--snn-good-soft);
        color: var(--snn-good);
      }
      .disagree {
        background: var(--snn-warn-soft);
        color: var(--snn-warn);
      }
      .computing {
        opacity: 0.55;
        transition: opacity 0.2s;
      }
      .empty {
        color: var(--snn-muted);
        border: 1px dashed var(--snn-border-strong);
        border-radius: var(--snn-radius);
        padding: 18px 12px;
        text-align: center;
      }
      @media (max-width: 520px) {
        .pair {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  @property({ attribute: false }) sample: SampleResult | null = null;
  @property({ attribute: false }) classes: readonly string[] = [];
  @property({ attribute: false }) timings: Timings | null = null;
  @property() backend: 'gpu' | 'cpu' | null = null;
  /** A newer request is running; the shown result is about to be replaced. */
  @property({ type: Boolean }) computing = false;
  @property({ type: Number }) numSteps = 0;
  /** Output neurons per class. */
  @property({ type: Number }) population = 1;
  /** The readout counts spikes (false: it sums an analog layer's output over T). */
  @property({ type: Boolean }) spikingReadout = true;

  override render() {
    const sample = this.sample;
    if (!sample) {
      return html`<div class="empty">${this.computing ? 'Classifying… The first text after a model loads also prepares the GPU programs, which takes a few seconds.' : 'The label appears here as you type.'}</div>`;
    }
    const steps = this.numSteps;
    const ann = sample.ann;
    const agree = ann ? ann.labelIndex === sample.labelIndex : null;
    const tie = sample.scores.filter((score) => score === sample.scores[sample.labelIndex]).length > 1;
    const timings = this.timings;
    const capNote = scoreCapNote(ann?.scores ?? null, steps, this.population, this.spikingReadout);
    return html`
      <div class="pair ${this.computing ? 'computing' : ''}" aria-busy=${this.computing ? 'true' : 'false'}>
        <section class="net" aria-label="Spiking network">
          <div class="net-name">Spiking network · ${this.spikingReadout ? 'output spikes' : 'readout summed'} over T = ${steps}</div>
          <div class="label" data-testid="snn-label" style="color:${classColour(sample.labelIndex)}">${sample.label}</div>
          ${scoreBars(sample.scores, this.classes, sample.labelIndex, formatScore)}
        </section>
        <section class="net" aria-label="ANN twin">
          <div class="net-name">ANN twin · output activations</div>
          ${ann
            ? html`<div class="label" data-testid="ann-label" style="color:${classColour(ann.labelIndex)}">${ann.label}</div>
                ${scoreBars(ann.scores, this.classes, ann.labelIndex, (value) => value.toFixed(3))}`
            : html`<div class="label muted">—</div>`}
        </section>
      </div>
      <div class="footer">
        ${agree === null
          ? nothing
          : html`<span class="badge ${agree ? 'agree' : 'disagree'}" data-testid="agreement">${agree ? 'SNN and ANN agree' : 'SNN and ANN disagree'}</span>`}
        ${tie ? html`<span>Tie in output spikes: the first class wins.</span>` : nothing}
        ${capNote ? html`<span class="cap-note" data-testid="score-cap">${capNote}</span>` : nothing}
        ${timings
          ? html`<span class="num" data-testid="latency"
              >${timings.totalMs.toFixed(0)} ms on ${this.backend === 'gpu' ? 'WebGPU' : 'the CPU'}${timings.gpuMs !== undefined ? html` · GPU time ${timings.gpuMs.toFixed(1)} ms` : nothing}</span
            >`
          : nothing}
        ${this.computing ? html`<span>Updating…</span>` : nothing}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-result': SnnResult;
  }
}
