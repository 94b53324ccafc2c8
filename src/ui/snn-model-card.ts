import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ENERGY_PRESETS } from '../model/energy';
import { largestEnergy, runEnergy, type CardMetrics, type CardRun } from './card-metrics';
import { formatPercent, formatRatio } from './energy-view';
import { baseStyles } from './theme';

/** A run's accuracy cell explained: against the ANN twin, and how often the two agree. */
export function runAccuracyTitle(run: CardRun, annAccuracy: number | null): string {
  const percent = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(2)} %`);
  const parts = [`SNN ${percent(run.accuracy)} at T = ${run.numSteps}, ${run.encoding} input`];
  if (annAccuracy !== null) parts.push(`ANN twin ${percent(annAccuracy)}`);
  if (run.agreementWithAnn !== null) parts.push(`the two predict the same class for ${percent(run.agreementWithAnn)} of the texts`);
  return parts.join('; ');
}

/** The spikes behind a run's SNN energy: each layer's firing rate (spikes per neuron per step). */
export function firingTitle(run: CardRun): string {
  const rates = Object.entries(run.firingRates);
  if (rates.length === 0) return 'no firing rates recorded';
  return `from these firing rates (spikes per neuron per step, mean over the texts): ${rates.map(([layer, rate]) => `${layer} ${rate.toFixed(3)}`).join(', ')}`;
}

/**
 * How accuracy and energy change with T, from the model's card (its evaluation on the test split):
 * one row per evaluated setting, with the SNN's energy per sentence drawn as a bar against the
 * ANN's. Says "no card metrics" when the model has none.
 */
@customElement('snn-model-card')
export class SnnModelCard extends LitElement {
  static override styles = [
    baseStyles,
    css`
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 13px;
      }
      th,
      td {
        text-align: right;
        padding: 4px 8px;
        border-bottom: 1px solid var(--snn-border);
        white-space: nowrap;
      }
      th:first-child,
      td:first-child,
      th:nth-child(2),
      td:nth-child(2) {
        text-align: left;
      }
      th {
        font-weight: 600;
        color: var(--snn-muted);
        font-size: 12px;
      }
      td.bar {
        width: 30%;
        min-width: 90px;
      }
      .track {
        position: relative;
        height: 8px;
        background: #eef0f4;
        border-radius: 4px;
      }
      .fill {
        position: absolute;
        inset: 0 auto 0 0;
        border-radius: 4px;
      }
      .ann-mark {
        position: absolute;
        top: -3px;
        bottom: -3px;
        width: 2px;
        background: #1a2030;
      }
      .wrap {
        overflow-x: auto;
        /* Contains the header's screen-reader text (position: absolute), which would otherwise escape the scroller and widen the page. */
        position: relative;
      }
      .current td {
        background: var(--snn-accent-soft);
      }
    `,
  ];

  @property({ attribute: false }) card: CardMetrics | null = null;
  /** The settings of the inference shown, highlighted in the table. */
  @property({ type: Number }) numSteps = 0;
  @property() encoding: 'rate' | 'direct' = 'rate';
  /** The energy preset (`ENERGY_PRESETS` id) whose figures the table shows, where the card has them. */
  @property() preset = 'float45';

  override render() {
    const card = this.card;
    if (!card) return html`<p class="muted" data-testid="card-empty">This model has no card metrics: no accuracy or energy by T was recorded when it was made.</p>`;
    // One preset for the whole table: the chosen one where every run has its figures, else 45 nm float.
    const shown = card.runs.every((run) => run.presets[this.preset]) ? this.preset : 'float45';
    const runs = card.runs.map((run) => ({ run, energy: runEnergy(run, shown) }));
    const largest = largestEnergy(runs.map((entry) => entry.energy));
    const texts = card.testSize !== null ? `${card.testSize.toLocaleString('en-US')} test texts` : 'test texts';
    const pricing = ENERGY_PRESETS.find((p) => p.id === shown)?.label ?? '45 nm, 32-bit float';
    return html`
      <p class="small muted">
        ${card.dataset ?? 'Dataset not named'}${card.split ? `, ${card.split} split` : ''}${card.testSize !== null ? `, ${card.testSize.toLocaleString('en-US')} texts` : ''}.
        ${card.annAccuracy !== null ? html`ANN accuracy <b>${formatPercent(card.annAccuracy)}</b>.` : nothing}
        The bar is the SNN's energy per sentence; the black mark is the ANN's. Energies under “${pricing}”${shown !== this.preset ? ' (the card has no figures for the chosen preset)' : ''}.
      </p>
      <div class="wrap">
        <table data-testid="card-table">
          <thead>
            <tr>
              <th scope="col" title="Time steps the SNN ran for each text">T</th>
              <th scope="col" title="How the words reached the first layer: rate (spikes drawn from firing probabilities, or binary spikes), direct (analog values at every step or once)">Encoding</th>
              <th scope="col" title=${`Share of the ${texts} the SNN classified correctly (spikescope eval, written into the card). Hover a cell for its agreement with the ANN twin.`}>SNN accuracy</th>
              <th scope="col" title=${`The ANN twin's energy per text, the mean over the ${texts}: every layer's multiply-accumulates and accumulates (priced for the input it gets) under “${pricing}”`}>ANN µJ</th>
              <th scope="col" title=${`The SNN's energy per text, the mean over the ${texts}: the accumulates its measured spikes caused, every neuron's update at every step, and the first layer's multiply-accumulates for analog input, under “${pricing}”`}>SNN µJ</th>
              <th scope="col" title="SNN µJ ÷ ANN µJ: under 1, the SNN spends less (green)">SNN / ANN</th>
              <th scope="col"><span class="sr">Energy</span></th>
            </tr>
          </thead>
          <tbody>
            ${runs.map(({ run, energy }) => {
              const ratio = energy.snnMicrojoules !== null && energy.annMicrojoules ? energy.snnMicrojoules / energy.annMicrojoules : NaN;
              const costly = ratio >= 1;
              return html`<tr class=${run.numSteps === this.numSteps && run.encoding === this.encoding ? 'current' : ''}>
                <td class="num">${run.numSteps}</td>
                <td>${run.encoding}</td>
                <td class="num" title=${runAccuracyTitle(run, card.annAccuracy)}>${formatPercent(run.accuracy)}</td>
                <td class="num">${energy.annMicrojoules?.toFixed(2) ?? '—'}</td>
                <td class="num" title=${firingTitle(run)}>${energy.snnMicrojoules?.toFixed(2) ?? '—'}</td>
                <td class="num" style="color:${costly ? 'var(--snn-bad)' : 'var(--snn-good)'}" title=${Number.isFinite(ratio) ? `${energy.snnMicrojoules!.toFixed(3)} µJ ÷ ${energy.annMicrojoules!.toFixed(3)} µJ = ${ratio.toFixed(3)}` : 'no energy recorded'}>${formatRatio(ratio)}</td>
                <td class="bar">
                  <div class="track">
                    <div class="fill" style="width:${((energy.snnMicrojoules ?? 0) / largest) * 100}%;background:${costly ? '#d9480f' : '#2b8a3e'}"></div>
                    ${energy.annMicrojoules !== null ? html`<div class="ann-mark" style="left:${(energy.annMicrojoules / largest) * 100}%"></div>` : nothing}
                  </div>
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${card.baseline
        ? html`<p class="small" data-testid="card-baseline">
            Beside it on the same test texts, <b>${card.baseline.name}</b>: accuracy <b>${formatPercent(card.baseline.accuracy)}</b>,
            ${card.baseline.parameters?.toLocaleString('en-US') ?? '—'} parameters${card.parameters !== null ? html` (this model: ${card.parameters.toLocaleString('en-US')})` : nothing},
            ${card.baseline.microjoules?.toFixed(2) ?? '—'} µJ per sentence.
          </p>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-model-card': SnnModelCard;
  }
}
