import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ENERGY_PRESETS } from '../model/energy';
import { PAPER_ACCURACY, paretoFront, pointEnergy, type ExplorerData, type ExplorerPoint } from './explorer-data';
import { baseStyles, CLASS_COLOURS } from './theme';

/** Dataset names as the plot's menu shows them. */
const DATASET_TITLES: Record<string, string> = { mr: 'MR', sst2: 'SST-2', sst5: 'SST-5', subj: 'Subj', chnsenticorp: 'ChnSentiCorp', waimai: 'Waimai' };

interface Plotted {
  point: ExplorerPoint;
  energy: number;
  accuracy: number;
  kind: 'snn' | 'twin' | 'baseline';
  preset: string;
}

/**
 * The accuracy–energy explorer: for one dataset, every shipped model at every T and encoding of its
 * card (test accuracy against energy per sentence, log scale, under the chosen preset), the ANN twins
 * and baselines as hollow reference points, the Pareto front, the paper's accuracy as a line, and
 * the sentence being typed as a live point of the current model. Each point names itself on hover.
 */
@customElement('snn-explorer')
export class SnnExplorer extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      .head {
        display: flex;
        gap: 10px;
        align-items: center;
        flex-wrap: wrap;
        margin-bottom: 6px;
      }
      svg {
        width: 100%;
        height: auto;
        display: block;
      }
      text {
        font-size: 10px;
        fill: var(--snn-muted);
      }
      .grid {
        stroke: var(--snn-border);
        stroke-dasharray: 2 3;
      }
      .axis {
        stroke: var(--snn-border-strong);
      }
      .front {
        stroke: var(--snn-accent);
        fill: none;
        stroke-width: 1.5;
      }
      .paper {
        stroke: var(--snn-bad);
        stroke-dasharray: 5 3;
      }
      .legend {
        display: flex;
        gap: 12px;
        flex-wrap: wrap;
        font-size: 12px;
        color: var(--snn-muted);
        margin-top: 4px;
      }
      .swatch {
        display: inline-block;
        width: 10px;
        height: 10px;
        border-radius: 50%;
        vertical-align: middle;
        margin-right: 4px;
      }
    `,
  ];

  @property({ attribute: false }) data: ExplorerData | null = null;
  /** The current model's dataset: the plot opens on it. */
  @property() datasetName: string | null = null;
  /** The preset the energies are read under (`ENERGY_PRESETS` id). */
  @property() preset = 'float45';
  /** The current model (its points are drawn larger). */
  @property() model: string | null = null;
  /** The sentence being typed: its energy (µJ) under the preset, at the card's accuracy for its T. */
  @property({ attribute: false }) live: { energy: number; accuracy: number; numSteps: number } | null = null;
  @state() private chosen: string | null = null;

  private plotted(dataset: string): Plotted[] {
    const out: Plotted[] = [];
    for (const point of this.data?.points ?? []) {
      if (point.dataset !== dataset) continue;
      const energy = pointEnergy(point, this.preset);
      out.push({ point, energy: point.ann ? energy.ann : energy.snn, accuracy: point.accuracy, kind: point.ann ? 'baseline' : 'snn', preset: energy.preset });
      // One twin per model (its energy does not depend on T or the encoding).
      if (!point.ann && point.annAccuracy !== null && !out.some((p) => p.kind === 'twin' && p.point.model === point.model)) {
        out.push({ point, energy: energy.ann, accuracy: point.annAccuracy, kind: 'twin', preset: energy.preset });
      }
    }
    return out.filter((p) => p.energy > 0);
  }

  override render() {
    const datasets = [...new Set((this.data?.points ?? []).map((p) => p.dataset))];
    if (datasets.length === 0) return html`<p class="small muted">No model card has accuracy and energy to plot.</p>`;
    const dataset = this.chosen ?? (this.datasetName && datasets.includes(this.datasetName) ? this.datasetName : datasets[0]);
    const points = this.plotted(dataset);
    const models = [...new Set(points.map((p) => p.point.model))];
    const colour = (model: string) => CLASS_COLOURS[models.indexOf(model) % CLASS_COLOURS.length];
    const paper = PAPER_ACCURACY[dataset];
    // The live point is priced under the chosen preset: drawn only where the model's card has it too.
    const live = this.live && this.model && points.some((p) => p.point.model === this.model && p.preset === this.preset) ? this.live : null;
    const energies = [...points.map((p) => p.energy), ...(live ? [live.energy] : [])];
    const accuracies = [...points.map((p) => p.accuracy), ...(paper ? [paper] : [])];
    const box = { left: 42, top: 10, width: 520, height: 220 };
    const width = box.left + box.width + 12;
    const height = box.top + box.height + 30;
    const lowE = Math.log10(Math.min(...energies)) - 0.15;
    const highE = Math.log10(Math.max(...energies)) + 0.15;
    const lowA = Math.max(0, Math.floor((Math.min(...accuracies) - 0.02) * 50) / 50);
    const highA = Math.min(1, Math.ceil((Math.max(...accuracies) + 0.01) * 50) / 50);
    const x = (energy: number) => box.left + ((Math.log10(energy) - lowE) / (highE - lowE || 1)) * box.width;
    const y = (accuracy: number) => box.top + box.height - ((accuracy - lowA) / (highA - lowA || 1)) * box.height;
    const front = paretoFront(points.filter((p) => p.kind === 'snn'));
    const decades = [];
    for (let d = Math.ceil(lowE * 2) / 2; d <= highE; d += 0.5) decades.push(d);
    const yTicks = [lowA, (lowA + highA) / 2, highA];
    const presetLabel = ENERGY_PRESETS.find((p) => p.id === this.preset)?.label ?? '45 nm, 32-bit float';
    const fallback = points.some((p) => p.preset !== this.preset);
    const describe = (p: Plotted) =>
      p.kind === 'twin'
        ? `${p.point.name}: its ANN twin, ${(100 * p.accuracy).toFixed(2)} %, ${p.energy.toPrecision(3)} µJ per sentence`
        : p.kind === 'baseline'
          ? `${p.point.name} (an ANN baseline): ${(100 * p.accuracy).toFixed(2)} %, ${p.energy.toPrecision(3)} µJ per sentence`
          : `${p.point.name} at T = ${p.point.numSteps}, ${p.point.encoding} input: ${(100 * p.accuracy).toFixed(2)} % on the test split, ${p.energy.toPrecision(3)} µJ per sentence (${(p.energy / pointEnergy(p.point, p.preset).ann).toFixed(2)}× its ANN)`;
    return html`
      <div class="head">
        <label class="small">Dataset
          <select data-testid="explorer-dataset" @change=${(event: Event) => (this.chosen = (event.target as HTMLSelectElement).value)}>
            ${datasets.map((d) => html`<option value=${d} ?selected=${d === dataset}>${DATASET_TITLES[d] ?? d}</option>`)}
          </select></label>
        <span class="small muted">energy per sentence under “${presetLabel}”${fallback ? ' (cards without that preset: 45 nm float)' : ''}, log scale; accuracy on the test split</span>
      </div>
      <svg viewBox="0 0 ${width} ${height}" role="img" aria-label="Accuracy against energy per sentence, ${DATASET_TITLES[dataset] ?? dataset}" data-testid="explorer">
        ${yTicks.map((t) => svg`<line class="grid" x1=${box.left} x2=${box.left + box.width} y1=${y(t)} y2=${y(t)}></line><text x=${box.left - 4} y=${y(t) + 3} text-anchor="end">${(100 * t).toFixed(0)} %</text>`)}
        ${decades.map((d) => svg`<line class="grid" y1=${box.top} y2=${box.top + box.height} x1=${x(10 ** d)} x2=${x(10 ** d)}></line><text x=${x(10 ** d)} y=${box.top + box.height + 12} text-anchor="middle">${Number((10 ** d).toPrecision(2))}</text>`)}
        <line class="axis" x1=${box.left} x2=${box.left} y1=${box.top} y2=${box.top + box.height}></line>
        <line class="axis" x1=${box.left} x2=${box.left + box.width} y1=${box.top + box.height} y2=${box.top + box.height}></line>
        <text x=${box.left + box.width} y=${height - 4} text-anchor="end">µJ per sentence</text>
        ${paper
          ? svg`<line class="paper" x1=${box.left} x2=${box.left + box.width} y1=${y(paper)} y2=${y(paper)} data-testid="explorer-paper"><title>Lv et al.'s spiking TextCNN: ${(100 * paper).toFixed(2)} % (T = 50)</title></line>
              <text x=${box.left + box.width - 2} y=${y(paper) - 3} text-anchor="end" style="fill:var(--snn-bad)">paper ${(100 * paper).toFixed(2)} %</text>`
          : nothing}
        ${front.length > 1 ? svg`<polyline class="front" data-testid="explorer-front" points=${front.map((p) => `${x(p.energy).toFixed(1)},${y(p.accuracy).toFixed(1)}`).join(' ')}></polyline>` : nothing}
        ${points.map((p) => {
          const current = p.point.model === this.model;
          const r = current ? 5 : 3.5;
          const c = colour(p.point.model);
          return p.kind === 'snn'
            ? svg`<circle cx=${x(p.energy)} cy=${y(p.accuracy)} r=${r} fill=${c} stroke=${current ? '#1a2030' : 'none'} data-testid="explorer-point"><title>${describe(p)}</title></circle>`
            : svg`<rect x=${x(p.energy) - r} y=${y(p.accuracy) - r} width=${2 * r} height=${2 * r} fill="none" stroke=${c} stroke-width="1.5" data-testid="explorer-reference"><title>${describe(p)}</title></rect>`;
        })}
        ${live
          ? svg`<g data-testid="explorer-live"><circle cx=${x(live.energy)} cy=${y(live.accuracy)} r="7" fill="none" stroke="#1a2030" stroke-width="2"></circle>
              <title>This sentence at T = ${live.numSteps}: ${live.energy.toPrecision(3)} µJ, plotted at the card's accuracy for that T (${(100 * live.accuracy).toFixed(2)} %)</title></g>`
          : nothing}
      </svg>
      <div class="legend">
        ${models.map((m) => html`<span><span class="swatch" style="background:${colour(m)}"></span>${points.find((p) => p.point.model === m)!.point.name}</span>`)}
        <span>● SNN at a T · ▢ ANN twin or baseline · <span style="color:var(--snn-accent)">—</span> Pareto front${paper ? html` · <span style="color:var(--snn-bad)">- -</span> paper` : nothing}${live ? ' · ◯ this sentence' : ''}</span>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-explorer': SnnExplorer;
  }
}
