import { LitElement, css, html, nothing, svg, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { NIR_RESETS, type NirReset } from '../nir/compile';
import type { NirGraphSummary, NirNodeResult, NirNodeSummary, NirRunResult } from '../nir/session';
import { userMessage, type SpikescopeClient, type UserMessage } from '../worker/client';
import { baseStyles } from './theme';
import './snn-membrane';
import './snn-problem';

/** Example graphs shipped with the site (written by snnTorch and Norse). */
const EXAMPLES = [
  { path: 'nir/snntorch-affine-lif.nir', label: 'snnTorch: Linear → LIF', reset: 'subtract-delayed' as NirReset, dt: 1e-4, rate: 2000 },
  { path: 'nir/snntorch-recurrent-cubalif.nir', label: 'snnTorch: recurrent CubaLIF', reset: 'subtract-delayed' as NirReset, dt: 1e-4, rate: 2000 },
  { path: 'nir/norse-conv2d-if.nir', label: 'Norse: Conv2d → IF → LI', reset: 'zero' as NirReset, dt: 1e-3, rate: 300 },
];

const RESET_LABELS: Record<NirReset, string> = {
  zero: 'to v_reset (NIR, Norse)',
  subtract: 'subtract θ (SpikingJelly, Sinabs)',
  'subtract-delayed': 'subtract θ next step (snnTorch)',
};

const BOX_W = 150;
const BOX_H = 46;
const COL_GAP = 46;
const ROW_GAP = 16;
const RASTER_ROWS = 64;
const ROW_PX = 4;

interface Selected {
  path: string;
  neuron: number;
}

/**
 * The NIR workspace: open (or drop) a `.nir` file from snnTorch, Norse, Sinabs or any NIR writer,
 * see its graph (each node's type, shape and parameters), run it on Poisson or CSV input, and see a
 * raster per neuron node and the membrane of a clicked neuron. The loaded text model can be written
 * as a `.nir` file here too.
 */
@customElement('snn-nir-view')
export class SnnNirView extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: center;
        margin-bottom: 10px;
      }
      label.button {
        display: inline-block;
        border: 1px solid var(--snn-accent);
        background: var(--snn-accent);
        color: #fff;
        border-radius: 6px;
        padding: 6px 12px;
        cursor: pointer;
        font-weight: 500;
      }
      label.button:focus-within {
        outline: 2px solid var(--snn-accent);
        outline-offset: 2px;
      }
      .drop {
        border: 1px dashed var(--snn-border-strong);
        border-radius: var(--snn-radius);
        padding: 12px;
        text-align: center;
        color: var(--snn-muted);
        font-size: 13px;
      }
      .drop.over {
        border-color: var(--snn-accent);
        background: var(--snn-accent-soft);
      }
      .examples button {
        font-size: 12px;
        padding: 3px 8px;
      }
      .graph {
        overflow-x: auto;
        border: 1px solid var(--snn-border);
        border-radius: var(--snn-radius);
        background: var(--snn-surface);
        margin: 8px 0;
      }
      .node rect {
        fill: #fff;
        stroke: var(--snn-border-strong);
        rx: 6;
      }
      .node.neuron rect {
        fill: var(--snn-accent-soft);
        stroke: var(--snn-accent);
      }
      .node.selected rect {
        stroke-width: 2.5;
        stroke: var(--snn-text);
      }
      .node {
        cursor: pointer;
      }
      .node:focus-visible rect {
        stroke-width: 3;
        stroke: var(--snn-accent);
      }
      .node text {
        font-size: 11px;
        fill: var(--snn-text);
        font-family: var(--snn-font);
      }
      .node text.type {
        font-weight: 600;
      }
      .edge {
        fill: none;
        stroke: #8a92a3;
        stroke-width: 1.3;
      }
      .edge.recurrent {
        stroke: var(--snn-bad);
        stroke-dasharray: 4 3;
      }
      .legend {
        font-size: 12px;
        color: var(--snn-muted);
      }
      table {
        border-collapse: collapse;
        font-size: 12px;
        width: 100%;
      }
      td,
      th {
        text-align: left;
        padding: 2px 6px;
        border-bottom: 1px solid var(--snn-border);
        vertical-align: top;
        overflow-wrap: anywhere;
      }
      .mono {
        font-family: var(--snn-mono);
      }
      .run {
        display: flex;
        flex-wrap: wrap;
        gap: 8px 14px;
        align-items: end;
        margin: 10px 0;
      }
      .run label {
        display: flex;
        flex-direction: column;
        font-size: 12px;
        color: var(--snn-muted);
        gap: 2px;
      }
      .run input[type='number'] {
        width: 90px;
      }
      .layer {
        margin: 12px 0;
      }
      .layer h3 {
        font-size: 13px;
        margin: 0 0 4px;
        font-weight: 600;
      }
      .table {
        overflow-x: auto;
      }
      th,
      td.mono {
        white-space: nowrap;
      }
      canvas {
        width: 100%;
        image-rendering: pixelated;
        border: 1px solid var(--snn-border);
        cursor: crosshair;
        display: block;
      }
      .export {
        border-top: 1px solid var(--snn-border);
        margin-top: 14px;
        padding-top: 10px;
      }
      .file {
        margin: 12px 0 0;
      }
      .warn {
        color: var(--snn-warn);
        font-size: 12px;
      }
    `,
  ];

  @property({ attribute: false }) client: SpikescopeClient | null = null;
  /** The loaded text model's name, for the export. */
  @property() modelName: string | null = null;
  /** Whether the loaded model runs over positions (the export then needs a length). */
  @property({ type: Boolean }) positional = false;

  @state() private summary: NirGraphSummary | null = null;
  @state() private selectedNode: string | null = null;
  @state() private problem: UserMessage | null = null;
  @state() private result: NirRunResult | null = null;
  @state() private running = false;
  @state() private steps = 100;
  @state() private dt = 1e-4;
  @state() private reset: NirReset = 'zero';
  @state() private rate = 1000;
  @state() private seed = 1;
  @state() private csv: File | null = null;
  @state() private selected: Selected | null = null;
  @state() private dragOver = false;
  @state() private exportLength = 32;
  @state() private exportNote: string | null = null;

  private async open(file: File, defaults?: { reset: NirReset; dt: number; rate: number }): Promise<void> {
    if (!this.client) return;
    this.problem = null;
    this.result = null;
    this.selected = null;
    try {
      const summary = await this.client.openNir(file);
      this.summary = summary;
      this.selectedNode = null;
      this.dt = defaults?.dt ?? summary.dt;
      this.reset = defaults?.reset ?? summary.reset;
      if (defaults) this.rate = defaults.rate;
      this.csv = null;
      await this.run();
    } catch (error) {
      this.summary = null;
      this.problem = userMessage(error);
    }
  }

  private async openExample(example: (typeof EXAMPLES)[number]): Promise<void> {
    try {
      const response = await fetch(example.path);
      if (!response.ok) throw new Error(`${example.path} could not be fetched (HTTP ${response.status})`);
      const blob = await response.blob();
      await this.open(new File([blob], example.path.slice(example.path.lastIndexOf('/') + 1)), example);
    } catch (error) {
      this.problem = userMessage(error);
    }
  }

  private async run(): Promise<void> {
    if (!this.client || !this.summary) return;
    this.running = true;
    this.problem = null;
    try {
      const input = this.csv ? { kind: 'csv' as const, text: await this.csv.text(), name: this.csv.name } : { kind: 'poisson' as const, rateHz: this.rate, seed: this.seed };
      this.result = await this.client.runNir({ steps: this.steps, dt: this.dt, reset: this.reset, input });
      const first = this.result.nodes.find((n) => n.spikes) ?? this.result.nodes.find((n) => n.v);
      if (!this.selected || !this.result.nodes.some((n) => n.path === this.selected!.path)) this.selected = first ? { path: first.path, neuron: 0 } : null;
    } catch (error) {
      this.problem = userMessage(error);
    } finally {
      this.running = false;
    }
  }

  private async exportModel(): Promise<void> {
    if (!this.client) return;
    this.exportNote = null;
    try {
      const file = await this.client.exportNir(this.positional ? this.exportLength : undefined);
      const url = URL.createObjectURL(new Blob([file.bytes as BlobPart], { type: 'application/x-hdf5' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = file.fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.exportNote = `Saved ${file.fileName} (${(file.bytes.byteLength / 1024).toFixed(0)} KB). ${file.note}`;
    } catch (error) {
      this.exportNote = userMessage(error).detail;
    }
  }

  private onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragOver = false;
    const file = event.dataTransfer?.files[0];
    if (file) void this.open(file);
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('result') || changed.has('selected')) this.drawRasters();
  }

  private drawRasters(): void {
    if (!this.result) return;
    for (const node of this.result.nodes) {
      if (!node.spikes) continue;
      const canvas = this.renderRoot.querySelector<HTMLCanvasElement>(`canvas[data-path="${CSS.escape(node.path)}"]`);
      if (!canvas) continue;
      const steps = this.result.steps;
      const rows = Math.min(node.size, RASTER_ROWS);
      const width = Math.min(steps, 800);
      canvas.width = width;
      canvas.height = rows * ROW_PX;
      const context = canvas.getContext('2d');
      if (!context) continue;
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, width, rows * ROW_PX);
      context.fillStyle = '#2b4bb0';
      for (let t = 0; t < steps; t++) {
        const x = Math.floor((t * width) / steps);
        for (let i = 0; i < rows; i++) if (node.spikes[t * node.size + i] > 0) context.fillRect(x, i * ROW_PX, Math.max(1, Math.ceil(width / steps)), ROW_PX - 1);
      }
      if (this.selected?.path === node.path && this.selected.neuron < rows) {
        context.strokeStyle = '#b42318';
        context.strokeRect(0.5, this.selected.neuron * ROW_PX + 0.5, width - 1, ROW_PX - 1);
      }
    }
  }

  private pickNeuron(event: MouseEvent, node: NirNodeResult): void {
    const canvas = event.currentTarget as HTMLCanvasElement;
    const rect = canvas.getBoundingClientRect();
    const rows = Math.min(node.size, RASTER_ROWS);
    const neuron = Math.min(rows - 1, Math.max(0, Math.floor(((event.clientY - rect.top) / rect.height) * rows)));
    this.selected = { path: node.path, neuron };
  }

  private renderGraph(summary: NirGraphSummary) {
    const columns = new Map<number, NirNodeSummary[]>();
    for (const node of summary.nodes) columns.set(node.depth, [...(columns.get(node.depth) ?? []), node]);
    const position = new Map<string, { x: number; y: number }>();
    let tallest = 0;
    for (const [depth, nodes] of columns) {
      nodes.forEach((node, i) => position.set(node.path, { x: 10 + depth * (BOX_W + COL_GAP), y: 14 + i * (BOX_H + ROW_GAP) }));
      tallest = Math.max(tallest, nodes.length);
    }
    const width = 20 + columns.size * (BOX_W + COL_GAP);
    const height = 40 + tallest * (BOX_H + ROW_GAP);
    const shapeText = (shape: number[]) => `[${shape.join('×')}]`;
    return html`<div class="graph" role="group" aria-label="Graph of the NIR file">
      <svg width=${width} height=${height} viewBox="0 0 ${width} ${height}">
        ${summary.edges.map((edge) => {
          const a = position.get(edge.from)!;
          const b = position.get(edge.to)!;
          if (edge.recurrent) {
            const y = Math.max(a.y, b.y) + BOX_H + 10;
            return svg`<path class="edge recurrent" d="M ${a.x + BOX_W / 2} ${a.y + BOX_H} C ${a.x + BOX_W / 2} ${y + 14}, ${b.x + BOX_W / 2} ${y + 14}, ${b.x + BOX_W / 2} ${b.y + BOX_H}"><title>${edge.from} → ${edge.to}: recurrent, carries the step before</title></path>`;
          }
          const x1 = a.x + BOX_W;
          const y1 = a.y + BOX_H / 2;
          const x2 = b.x;
          const y2 = b.y + BOX_H / 2;
          return svg`<path class="edge" d="M ${x1} ${y1} C ${x1 + COL_GAP / 2} ${y1}, ${x2 - COL_GAP / 2} ${y2}, ${x2} ${y2}"><title>${edge.from} → ${edge.to}</title></path>`;
        })}
        ${summary.nodes.map((node) => {
          const p = position.get(node.path)!;
          const label = node.path.length > 22 ? `…${node.path.slice(-21)}` : node.path;
          return svg`<g class="node ${node.neuron ? 'neuron' : ''} ${this.selectedNode === node.path ? 'selected' : ''}" transform="translate(${p.x} ${p.y})" tabindex="0" role="button"
            aria-label="${node.type} node ${node.path}, shape ${shapeText(node.shape)}" @click=${() => (this.selectedNode = node.path)}
            @keydown=${(event: KeyboardEvent) => (event.key === 'Enter' || event.key === ' ') && (event.preventDefault(), (this.selectedNode = node.path))}>
            <rect width=${BOX_W} height=${BOX_H}></rect>
            <text class="type" x="8" y="17">${node.type}</text>
            <text x="8" y="33">${label} ${shapeText(node.shape)}</text>
          </g>`;
        })}
      </svg>
    </div>`;
  }

  private renderDetails(summary: NirGraphSummary) {
    const node = summary.nodes.find((n) => n.path === this.selectedNode);
    if (!node) return html`<p class="small muted">Click a node to see its parameters. Blue nodes hold a membrane potential; a red dashed edge is recurrent (it carries the value of the step before).</p>`;
    const format = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : Number(x.toPrecision(4)).toString());
    return html`<div class="details" aria-label="Node details">
      <p><b>${node.type}</b> <span class="mono">${node.path}</span> · shape [${node.shape.join(', ')}]</p>
      ${node.parameters.length > 0
        ? html`<div class="table"><table>
            <thead><tr><th>parameter</th><th>shape</th><th>min</th><th>mean</th><th>max</th><th>first values</th></tr></thead>
            <tbody>
              ${node.parameters.map(
                (p) => html`<tr><td class="mono">${p.name}</td><td>[${p.shape.join(', ')}]</td><td>${format(p.min)}</td><td>${format(p.mean)}</td><td>${format(p.max)}</td>
                  <td class="mono">${p.preview.map(format).join(', ')}${p.preview.length < p.shape.reduce((a, b) => a * b, 1) ? ', …' : ''}</td></tr>`,
              )}
            </tbody>
          </table></div>`
        : nothing}
      ${Object.keys(node.settings).length > 0
        ? html`<p class="small">${Object.entries(node.settings).map(([k, v]) => html`<span class="mono">${k}</span> = ${v}; `)}</p>`
        : nothing}
    </div>`;
  }

  private renderResult(result: NirRunResult) {
    const selected = this.selected ? result.nodes.find((n) => n.path === this.selected!.path) : undefined;
    const neuron = this.selected?.neuron ?? 0;
    let trace = null;
    let spikes: Float32Array | null = null;
    if (selected?.v) {
      const potential = new Float32Array(result.steps);
      for (let t = 0; t < result.steps; t++) potential[t] = selected.v[t * selected.size + neuron];
      trace = { layer: selected.path, neuron, vThreshold: selected.vThreshold?.[neuron] ?? 0, potential };
      if (selected.spikes) {
        spikes = new Float32Array(result.steps);
        for (let t = 0; t < result.steps; t++) spikes[t] = selected.spikes[t * selected.size + neuron];
      }
    }
    return html`
      <p class="small muted" role="status">${result.steps} steps of ${result.dt} s on the ${result.backend} in ${result.elapsedMs.toFixed(0)} ms · ${result.inputSpikes.toFixed(0)} input ${this.csv ? 'units' : 'spikes'}</p>
      ${result.nodes
        .filter((n) => n.spikes)
        .map((n) => {
          let total = 0;
          for (const s of n.spikes!) total += s;
          return html`<div class="layer">
            <h3>${n.path} <span class="small muted">(${n.type}, ${n.size} neurons): ${total} spikes, ${((100 * total) / (n.size * result.steps)).toFixed(1)} % of neuron-steps${n.size > RASTER_ROWS ? `; the first ${RASTER_ROWS} neurons shown` : ''}</span></h3>
            <canvas data-path=${n.path} style="height: ${Math.min(400, Math.max(24, Math.min(n.size, RASTER_ROWS) * 6))}px" aria-label="Spike raster of ${n.path}: one row per neuron, time to the right; click a row for its membrane" @click=${(event: MouseEvent) => this.pickNeuron(event, n)}></canvas>
          </div>`;
        })}
      ${result.nodes
        .filter((n) => !n.spikes && n.v)
        .map(
          (n) => html`<p class="small"><b>${n.path}</b> (${n.type}, ${n.size} elements, no spikes: its output is v)
            <button type="button" @click=${() => (this.selected = { path: n.path, neuron: 0 })}>Show v of element 0</button></p>`,
        )}
      ${trace
        ? html`<snn-membrane .trace=${trace} .spikes=${spikes}
            .info=${{ layer: trace.layer, neuron, position: null, channel: neuron, role: `element ${neuron} of ${selected!.type}`, token: null, window: null, masked: false }}></snn-membrane>`
        : nothing}
    `;
  }

  override render() {
    const summary = this.summary;
    return html`
      <div class="bar">
        <label class="button">Open a .nir file <input type="file" accept=".nir,.h5,.hdf5" class="sr" @change=${(event: Event) => {
          const file = (event.target as HTMLInputElement).files?.[0];
          if (file) void this.open(file);
        }} /></label>
        <span class="examples small muted">or an example:
          ${EXAMPLES.map((example) => html`<button type="button" @click=${() => this.openExample(example)}>${example.label}</button>`)}</span>
      </div>
      <div class="drop ${this.dragOver ? 'over' : ''}" @dragover=${(event: DragEvent) => (event.preventDefault(), (this.dragOver = true))}
        @dragleave=${() => (this.dragOver = false)} @drop=${this.onDrop}>
        Drop a NIR graph here (from snnTorch, Norse, Sinabs, Rockpool, Spyx, …): it is read and run in this page.
      </div>
      <snn-problem .problem=${this.problem} test-id="nir-error"></snn-problem>
      ${summary
        ? html`
            <p class="small file"><b>${summary.fileName}</b> · NIR ${summary.version} · ${summary.nodes.length} nodes · input <span class="mono">${summary.input.path}</span> [${summary.input.shape.join('×')}] (${summary.input.size} values per step)</p>
            ${summary.warnings.map((w) => html`<p class="warn">${w}</p>`)}
            ${this.renderGraph(summary)}
            <p class="legend">Columns follow the data from the input; blue: a neuron node; red dashed: a recurrent edge.</p>
            ${this.renderDetails(summary)}
            <div class="run" aria-label="Run the graph">
              <label>Steps <input type="number" min="1" max="20000" .value=${String(this.steps)} ?disabled=${this.csv !== null}
                @change=${(e: Event) => (this.steps = Math.max(1, Math.min(20000, Math.round(Number((e.target as HTMLInputElement).value) || 1))))} /></label>
              <label>dt (s) <input type="number" step="any" min="0" .value=${String(this.dt)} @change=${(e: Event) => (this.dt = Number((e.target as HTMLInputElement).value) || this.dt)} /></label>
              <label>Reset <select @change=${(e: Event) => (this.reset = (e.target as HTMLSelectElement).value as NirReset)}>
                ${NIR_RESETS.map((r) => html`<option value=${r} ?selected=${r === this.reset}>${RESET_LABELS[r]}</option>`)}
              </select></label>
              <label>Poisson rate (Hz) <input type="number" min="0" .value=${String(this.rate)} ?disabled=${this.csv !== null}
                @change=${(e: Event) => (this.rate = Math.max(0, Number((e.target as HTMLInputElement).value) || 0))} /></label>
              <label>Seed <input type="number" min="0" .value=${String(this.seed)} ?disabled=${this.csv !== null}
                @change=${(e: Event) => (this.seed = Math.max(0, Math.round(Number((e.target as HTMLInputElement).value) || 0)))} /></label>
              <label>or input spikes (CSV) <input type="file" accept=".csv,.txt" @change=${(e: Event) => (this.csv = (e.target as HTMLInputElement).files?.[0] ?? null)} /></label>
              <button type="button" class="primary" ?disabled=${this.running} @click=${() => this.run()}>${this.running ? 'Running…' : 'Run'}</button>
            </div>
            ${this.result ? this.renderResult(this.result) : nothing}
          `
        : nothing}
      <div class="export">
        ${this.modelName
          ? html`<p class="small">Take <b>${this.modelName}</b> to other simulators as a NIR graph.
              ${this.positional ? html`<label class="small">Length (tokens) <input type="number" min="1" max="1024" .value=${String(this.exportLength)}
                @change=${(e: Event) => (this.exportLength = Math.max(1, Math.min(1024, Math.round(Number((e.target as HTMLInputElement).value) || 1))))} /></label>` : nothing}
              <button type="button" @click=${() => this.exportModel()}>Export .nir</button></p>`
          : nothing}
        ${this.exportNote ? html`<p class="small" role="status">${this.exportNote}</p>` : nothing}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-nir-view': SnnNirView;
  }
}
