import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DEFAULT_ENERGY_SETTINGS, ENERGY_PRESETS, memoryAccessPicojoules, type ChipFigures, type EnergyPreset, type EnergyReport, type EnergySettings, type LayerEnergy } from '../model/energy';
import type { CardMetrics } from './card-metrics';
import { explainEnergy, neurobenchMetrics, formatCount, formatEnergy, formatPercent, formatRatio, repriceEnergy } from './energy-view';
import { baseStyles, figureStyles } from './theme';
import './snn-energy-chart';
import './snn-model-card';
import './snn-explorer';
import type { ExplorerData } from './explorer-data';

/** `models/explorer.json`, fetched once per page. */
let explorerFetch: Promise<ExplorerData> | null = null;
function explorerData(): Promise<ExplorerData> {
  explorerFetch ??= fetch('models/explorer.json').then((response) => {
    if (!response.ok) throw new Error(`models/explorer.json: HTTP ${response.status}`);
    return response.json() as Promise<ExplorerData>;
  });
  return explorerFetch;
}

/** Whether two settings price the SNN at the same chip figures (or both at none). */
function sameChip(a: ChipFigures | undefined, b: ChipFigures | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.synapticOpPicojoules === b.synapticOpPicojoules && a.neuronUpdatePicojoules === b.neuronUpdatePicojoules && a.spikePicojoules === b.spikePicojoules;
}

/**
 * The energy account of the inference shown: per layer, the ANN's multiply-accumulates against the
 * SNN's accumulates from the spikes actually emitted, firing rates, energy at E_MAC / E_AC (editable,
 * 45 nm by default), totals and the ratio, a bar chart, a plain sentence when the SNN costs more,
 * and the model card's energy and accuracy by T. Fires `energy-settings-change` (`EnergySettings`).
 */
@customElement('snn-energy')
export class SnnEnergy extends LitElement {
  static override styles = [
    baseStyles,
    figureStyles,
    css`
      .summary {
        display: grid;
        grid-template-columns: repeat(3, minmax(0, 1fr));
        gap: 10px;
        margin-bottom: 10px;
      }
      .costly {
        color: var(--snn-bad);
      }
      .saves {
        color: var(--snn-good);
      }
      .settings {
        display: flex;
        gap: 12px;
        align-items: end;
        flex-wrap: wrap;
        margin: 10px 0;
      }
      .settings div {
        display: flex;
        flex-direction: column;
        gap: 2px;
      }
      .settings input[type='number'] {
        width: 96px;
      }
      .settings label.small {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        padding-bottom: 6px;
      }
      .wrap {
        overflow-x: auto;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 12.5px;
      }
      th,
      td {
        padding: 4px 8px;
        text-align: right;
        border-bottom: 1px solid var(--snn-border);
        white-space: nowrap;
      }
      th:first-child,
      td:first-child {
        text-align: left;
        /* On a narrow screen the table scrolls sideways under the layer names. */
        position: sticky;
        left: 0;
        background: var(--snn-surface);
      }
      thead th {
        color: var(--snn-muted);
        font-weight: 600;
        font-size: 12px;
        vertical-align: bottom;
      }
      tfoot td {
        font-weight: 650;
        border-top: 2px solid var(--snn-border-strong);
        border-bottom: none;
      }
      .section {
        margin-top: 18px;
      }
      @media (max-width: 560px) {
        .summary {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  /** The engine's report (priced at the default settings). */
  @property({ attribute: false }) report: EnergyReport | null = null;
  @property({ attribute: false }) settings: EnergySettings = { ...DEFAULT_ENERGY_SETTINGS };
  @property({ attribute: false }) card: CardMetrics | null = null;
  @property({ type: Number }) numSteps = 0;
  @property() encoding: 'rate' | 'direct' = 'rate';
  /** The current model's folder name (its points stand out in the explorer). */
  @property() modelId: string | null = null;
  @state() private explorer: ExplorerData | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    explorerData().then((data) => (this.explorer = data), () => (this.explorer = { points: [] }));
  }

  private change(field: keyof EnergySettings, event: Event): void {
    const value = Number((event.target as HTMLInputElement).value);
    if (!(value >= 0) || !Number.isFinite(value)) return;
    this.dispatchEvent(new CustomEvent<EnergySettings>('energy-settings-change', { detail: { ...this.settings, [field]: value }, bubbles: true, composed: true }));
  }

  private choose(settings: EnergySettings): void {
    this.dispatchEvent(new CustomEvent<EnergySettings>('energy-settings-change', { detail: { ...settings }, bubbles: true, composed: true }));
  }

  /** The preset the settings are, or null when a person edited the figures. */
  private preset(): EnergyPreset | null {
    const s = this.settings;
    return ENERGY_PRESETS.find((p) => p.settings.eMacPicojoules === s.eMacPicojoules && p.settings.eAcPicojoules === s.eAcPicojoules && !!p.settings.memory === !!s.memory && sameChip(p.settings.chip, s.chip)) ?? null;
  }

  /** How an SNN cell's energy was summed at a chip's figures. */
  private chipSum(row: LayerEnergy, chip: ChipFigures): string {
    const parts = [`${formatCount(row.synapticAcs)} synaptic operations × ${chip.synapticOpPicojoules} pJ`, `${formatCount(row.neuronUpdates)} neuron updates × ${chip.neuronUpdatePicojoules} pJ`, `${formatCount(row.events)} spikes × ${chip.spikePicojoules} pJ`];
    if (row.synapticMacs > 0) {
      const access = this.settings.memory ? ` + 2 memory accesses × ${memoryAccessPicojoules(row.memory.bytes).toFixed(1)} pJ` : '';
      parts.push(`${formatCount(row.synapticMacs)} MACs of analog input on the host × (${this.settings.eMacPicojoules} pJ${access})`);
    }
    return `${parts.join(' + ')} = ${formatEnergy(row.snnEnergyPicojoules)}`;
  }

  /** How a cell's energy was summed, with the figures in force. */
  private energySum(macs: number, acs: number, accesses: number, bytes: number, total: number): string {
    const { eMacPicojoules: mac, eAcPicojoules: ac, memory } = this.settings;
    const parts = [`${formatCount(macs)} MACs × ${mac} pJ`, `${formatCount(acs)} ACs × ${ac} pJ`];
    if (memory) parts.push(`${formatCount(accesses)} memory accesses × ${memoryAccessPicojoules(bytes).toFixed(1)} pJ (a memory of ${(bytes / 1024).toFixed(1)} KB)`);
    return `${parts.join(' + ')} = ${formatEnergy(total)}`;
  }

  /** This sentence's energy (µJ) at the card's accuracy for the run's T and encoding, when the card has that run. */
  private livePoint(report: EnergyReport): { energy: number; accuracy: number; numSteps: number } | null {
    const run = this.card?.runs.find((entry) => entry.numSteps === this.numSteps && entry.encoding === this.encoding);
    if (!run || run.accuracy === null || !this.preset()) return null;
    return { energy: report.snnEnergyPicojoules / 1e6, accuracy: run.accuracy, numSteps: this.numSteps };
  }

  private renderNeurobench(report: EnergyReport) {
    const nb = neurobenchMetrics(report, this.numSteps);
    const t = report.totals;
    const footprint = this.card?.footprint ?? null;
    const layers = nb.layerSparsity.map((l) => `${l.name} ${l.sparsity.toFixed(3)} (${formatCount(l.events)} spikes in ${formatCount(l.slots)} neuron-steps)`).join('; ');
    return html`<p class="small" data-testid="neurobench">
      <b>NeuroBench</b>
      <span
        title=${`Operations the SNN performed for this text: the accumulates its spikes caused through their synapses (${formatCount(report.input.events)} input spikes and the hidden layers'), plus every neuron's update at every step (charge, compare, reset: ACs; a leaky charge: a MAC), plus the multiply-accumulates of a layer fed analog input. The sum of the table's SNN MAC and AC columns.`}
        >effective synaptic operations ${formatCount(nb.effectiveAcs)} ACs + ${formatCount(nb.effectiveMacs)} MACs</span
      >
      · <span title=${`The same network run dense, as its ANN twin runs it: ${formatCount(t.annMacs)} MACs + ${formatCount(t.annAcs)} ACs (the table's ANN columns)`}>dense ${formatCount(nb.dense)}</span>
      ${nb.activationSparsity !== null
        ? html` · <span data-testid="activation-sparsity" title=${`Share of silent neuron-steps over every spiking layer, 1 − spikes ÷ (neurons × T). By layer: ${layers}`}>activation sparsity ${nb.activationSparsity.toFixed(3)}</span>`
        : nothing}
      ${footprint
        ? html` · <span data-testid="footprint" title=${`Every value the model stores, its word table included, and their bytes as stored (a table of 8-bit values counts 1 byte each)${footprint.connectionSparsity !== null ? `; connection sparsity ${footprint.connectionSparsity.toFixed(4)}: the share of zero weights in the synaptic layers` : ''}. From the model card.`}
            >footprint ${formatCount(footprint.parameters)} values, ${(footprint.bytes / 1e6).toFixed(2)} MB</span
          >`
        : nothing}
    </p>`;
  }

  private renderTable(report: EnergyReport) {
    const totals = report.totals;
    const memory = !!this.settings.memory;
    const memoryTotals = report.layers.reduce((sum, row) => ({ ann: sum.ann + row.memory.annAccesses, snn: sum.snn + row.memory.snnAccesses }), { ann: 0, snn: 0 });
    const cell = (field: string, value: number) => html`<td class="num" data-field=${field} data-value=${String(value)}>${formatCount(value)}</td>`;
    return html`<div class="wrap">
      <table data-testid="energy-table">
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col" title="Spikes the layer emitted / (its neurons × T), over this sentence">Firing rate</th>
            <th scope="col" title="Multiply-accumulates of the ANN twin: every weight times its input, for this sentence's length (architecture §4.2)">ANN MACs</th>
            <th scope="col" title="Additions of the ANN twin: biases, pooling, and the weights of a layer fed 0/1 input, which only adds">ANN ACs</th>
            <th scope="col" title="Accumulates of the SNN from the spikes it emitted: each spike times its fan-out, biases at every step, and every neuron's charge, threshold comparison and reset (architecture §4.3)">SNN ACs</th>
            <th scope="col" title="Multiply-accumulates of the SNN: a layer fed analog input (direct encoding) multiplies as the ANN does, and a leaky neuron's charge β·v + x">SNN MACs</th>
            ${memory ? html`<th scope="col" title="Values read or written in memory (architecture §4.7)">ANN memory accesses</th><th scope="col" title="Values read or written in memory (architecture §4.7)">SNN memory accesses</th>` : nothing}
            <th scope="col" title="MACs × E_MAC + ACs × E_AC (+ memory accesses × the energy of an access to a memory of the layer's size). Hover a cell for its sum.">ANN energy</th>
            <th scope="col" title=${this.settings.chip ? "At the chip's figures: synaptic operations (the SNN ACs without the neurons' own) + neuron updates + spikes, each at its price; a layer fed analog input is computed by the host at the ANN's prices. Hover a cell for its sum." : "MACs × E_MAC + ACs × E_AC (+ memory accesses × the energy of an access to a memory of the layer's size). Hover a cell for its sum."}>SNN energy</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>input (encoder)</td>
            <td class="num">${formatPercent(report.input.firingRate)}</td>
            <td colspan="4" class="muted small" style="text-align:left">${report.input.firingRate === null ? 'analog input (direct encoding)' : `${formatCount(report.input.events)} input spikes`}</td>
            ${memory ? html`<td></td><td></td>` : nothing}
            <td></td>
            <td></td>
          </tr>
          ${report.layers.map((row) =>
            row.annMacs + row.annAcs + row.snnAcs + row.snnMacs === 0
              ? html`<tr>
                  <td>${row.name} <span class="muted small">${row.kind}</span></td>
                  <td class="num">${formatPercent(row.firingRate)}</td>
                  <td colspan="4" class="muted small" style="text-align:left">${row.firingRate === null ? 'no operations' : `${formatCount(row.events)} spikes, priced in the layer they feed`}</td>
                  ${memory ? html`<td class="num">${formatCount(row.memory.annAccesses)}</td><td class="num">${formatCount(row.memory.snnAccesses)}</td>` : nothing}
                  <td></td>
                  <td></td>
                </tr>`
              : html`<tr>
              <td>${row.name} <span class="muted small">${row.kind}</span></td>
              <td class="num">${formatPercent(row.firingRate)}</td>
              <td class="num">${formatCount(row.annMacs)}</td>
              <td class="num">${formatCount(row.annAcs)}</td>
              <td class="num">${formatCount(row.snnAcs)}</td>
              <td class="num">${formatCount(row.snnMacs)}</td>
              ${memory ? html`<td class="num">${formatCount(row.memory.annAccesses)}</td><td class="num">${formatCount(row.memory.snnAccesses)}</td>` : nothing}
              <td class="num" title=${this.energySum(row.annMacs, row.annAcs, row.memory.annAccesses, row.memory.bytes, row.annEnergyPicojoules)}>${formatEnergy(row.annEnergyPicojoules)}</td>
              <td class="num" title=${this.settings.chip ? this.chipSum(row, this.settings.chip) : this.energySum(row.snnMacs, row.snnAcs, row.memory.snnAccesses, row.memory.bytes, row.snnEnergyPicojoules)}>${formatEnergy(row.snnEnergyPicojoules)}</td>
            </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr data-testid="energy-totals">
            <td>Total</td>
            <td></td>
            ${cell('annMacs', totals.annMacs)} ${cell('annAcs', totals.annAcs)} ${cell('snnAcs', totals.snnAcs)} ${cell('snnMacs', totals.snnMacs)}
            ${memory ? html`${cell('annMemory', memoryTotals.ann)} ${cell('snnMemory', memoryTotals.snn)}` : nothing}
            <td class="num" data-field="annEnergyPicojoules" data-value=${String(totals.annEnergyPicojoules)}>${formatEnergy(totals.annEnergyPicojoules)}</td>
            <td class="num" data-field="snnEnergyPicojoules" data-value=${String(totals.snnEnergyPicojoules)}>${formatEnergy(totals.snnEnergyPicojoules)}</td>
          </tr>
        </tfoot>
      </table>
    </div>`;
  }

  override render() {
    if (!this.report) return html`<p class="muted">The energy account appears once a text is classified.</p>`;
    const report = repriceEnergy(this.report, this.settings);
    const costly = report.ratio >= 1;
    return html`
      <div class="summary">
        <div class="figure">
          <div class="what" title="The same network with each neuron layer replaced by its activation (ReLU or the quantiser), run once on this sentence: the table's ANN columns summed">ANN twin, per inference</div>
          <div class="value num" data-testid="ann-energy">${formatEnergy(report.annEnergyPicojoules)}</div>
        </div>
        <div class="figure">
          <div class="what" title="This sentence's run: the table's SNN columns summed, from the spikes the engine counted at every step">SNN, from the spikes emitted</div>
          <div class="value num" data-testid="snn-energy">${formatEnergy(report.snnEnergyPicojoules)}</div>
        </div>
        <div class="figure">
          <div class="what">SNN / ANN</div>
          <div class="value num ${costly ? 'costly' : 'saves'}" data-testid="energy-ratio">${formatRatio(report.ratio)}</div>
          <div class="what ${costly ? 'costly' : 'saves'}">${report.verdict}</div>
        </div>
      </div>
      <p class="message ${costly ? 'warn' : 'info'}" data-testid="energy-explanation">${explainEnergy(report, this.numSteps, this.encoding)}</p>
      ${this.renderNeurobench(report)}
      <div class="settings">
        <div>
          <label for="emac">E<sub>MAC</sub> (pJ)</label>
          <input id="emac" type="number" min="0" step="0.1" .value=${String(this.settings.eMacPicojoules)} @input=${(event: Event) => this.change('eMacPicojoules', event)} />
        </div>
        <div>
          <label for="eac">E<sub>AC</sub> (pJ)</label>
          <input id="eac" type="number" min="0" step="0.1" .value=${String(this.settings.eAcPicojoules)} @input=${(event: Event) => this.change('eAcPicojoules', event)} />
        </div>
        <div>
          <label for="preset">Preset</label>
          <select id="preset" data-testid="energy-preset" @change=${(event: Event) => this.choose(ENERGY_PRESETS.find((p) => p.id === (event.target as HTMLSelectElement).value)!.settings)}>
            ${ENERGY_PRESETS.map((p) => html`<option value=${p.id} ?selected=${this.preset()?.id === p.id}>${p.label}</option>`)}
            ${this.preset() ? nothing : html`<option value="" selected disabled>your figures</option>`}
          </select>
        </div>
        <label class="small"><input type="checkbox" data-testid="energy-memory" .checked=${!!this.settings.memory}
          @change=${(event: Event) => this.choose({ ...this.settings, memory: (event.target as HTMLInputElement).checked })} /> memory traffic</label>
        <button type="button" @click=${() => this.choose(DEFAULT_ENERGY_SETTINGS)}>45 nm defaults</button>
      </div>
      <p class="small muted" data-testid="energy-source">${this.preset()?.source ?? `Your figures: ${this.settings.eMacPicojoules} pJ per MAC, ${this.settings.eAcPicojoules} pJ per AC${this.settings.memory ? ', and memory accesses priced by the size of each layer’s memory (Horowitz, ISSCC 2014)' : ''}${this.settings.chip ? `; the SNN at a chip's figures, ${this.settings.chip.synapticOpPicojoules} pJ per synaptic operation, ${this.settings.chip.neuronUpdatePicojoules} pJ per neuron update, ${this.settings.chip.spikePicojoules} pJ per spike` : ''}.`}</p>
      ${this.renderTable(report)}
      <div class="section">
        <h2>Energy by layer</h2>
        <snn-energy-chart .report=${report}></snn-energy-chart>
      </div>
      <div class="section">
        <h2>Every shipped model: accuracy against energy</h2>
        <snn-explorer .data=${this.explorer} .datasetName=${this.card?.dataset ?? null} .preset=${this.preset()?.id ?? 'float45'} .model=${this.modelId}
          .live=${this.livePoint(report)}></snn-explorer>
      </div>
      <div class="section">
        <h2>Accuracy and energy by T, from the model card</h2>
        <snn-model-card .card=${this.card} .numSteps=${this.numSteps} .encoding=${this.encoding} .preset=${this.preset()?.id ?? 'float45'}></snn-model-card>
      </div>
      ${nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-energy': SnnEnergy;
  }
}
