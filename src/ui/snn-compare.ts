import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SampleResult } from '../engine/types';
import { formatScore } from './decision';
import { formatEnergy } from './energy-view';
import { baseStyles, classColour } from './theme';

/** One row of a comparison: what was varied, and the result. */
export interface ComparisonRow {
  /** What this row ran: `T = 8`, or the text of a contrast pair. */
  what: string;
  result: SampleResult | null;
}

export interface Comparison {
  title: string;
  rows: ComparisonRow[];
  /** Still running. */
  pending: boolean;
}

/** Contrast pairs that teach: a word that flips the meaning, per language. */
export const CONTRASTS: Record<string, [string, string][]> = {
  en: [
    ['a bad movie', 'not a bad movie'],
    ['the acting is good', 'the acting is not good'],
    ['i loved this film', 'i wanted to love this film'],
  ],
  zh: [
    ['服务很好', '服务不好'],
    ['菜很好吃', '菜不好吃'],
  ],
};

/**
 * Results side by side: the same text at other T (how the decision and the energy change with the
 * length of the run), or the two texts of a contrast pair (what one word does). Fires
 * `compare-steps` and `compare-pair` (detail: the pair) when a person asks for one.
 */
@customElement('snn-compare')
export class SnnCompare extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .ask {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
        font-size: 12px;
      }
      .ask button {
        font-size: 12px;
        padding: 2px 8px;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 12.5px;
        margin-top: 8px;
      }
      th,
      td {
        text-align: left;
        padding: 3px 6px;
        border-bottom: 1px solid var(--snn-border);
      }
      th {
        color: var(--snn-muted);
        font-weight: 600;
      }
      .num {
        text-align: right;
      }
    `,
  ];

  @property() language = 'en';
  @property({ type: Number }) numSteps = 16;
  @property({ attribute: false }) classes: readonly string[] = [];
  @property({ attribute: false }) comparison: Comparison | null = null;
  /** Whether there is a text to compare at other T. */
  @property({ type: Boolean }) hasText = false;

  private emit<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed: true }));
  }

  override render() {
    const pairs = CONTRASTS[this.language] ?? [];
    const comparison = this.comparison;
    return html`
      <div class="ask">
        <span class="muted">Compare:</span>
        <button type="button" ?disabled=${!this.hasText} @click=${() => this.emit('compare-steps', null)} data-testid="compare-steps">this text at other T</button>
        ${pairs.map(
          (pair) => html`<button type="button" title="Run both and compare" @click=${() => this.emit('compare-pair', pair)}>${pair[0]} ↔ ${pair[1]}</button>`,
        )}
      </div>
      ${comparison
        ? html`<table data-testid="comparison" aria-label=${comparison.title} aria-busy=${comparison.pending ? 'true' : 'false'}>
            <caption class="small muted" style="text-align:left">${comparison.title}${comparison.pending ? ' (running…)' : ''}</caption>
            <thead>
              <tr><th></th><th>SNN</th><th class="num">scores</th><th>ANN twin</th><th class="num">SNN energy</th></tr>
            </thead>
            <tbody>
              ${comparison.rows.map(({ what, result }) => {
                if (!result) return html`<tr><td>${what}</td><td colspan="4" class="muted">…</td></tr>`;
                const agree = result.ann ? result.ann.labelIndex === result.labelIndex : null;
                return html`<tr>
                  <td>${what}</td>
                  <td style="color:${classColour(result.labelIndex)};font-weight:600">${result.label}</td>
                  <td class="num">${result.scores.map(formatScore).join(' / ')}</td>
                  <td>${result.ann ? html`${result.ann.label}${agree ? '' : html` <span class="muted">(differs)</span>`}` : '—'}</td>
                  <td class="num">${formatEnergy(result.energy.snnEnergyPicojoules)}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-compare': SnnCompare;
  }
}
