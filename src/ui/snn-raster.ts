import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { drawRaster, labelEvery, plotSize, rasterGeometry } from './raster-canvas';
import { neuronInfo, RASTER_COLOURS, sequenceStep, neuronSpikes, snapToSpike, type RasterContext, type RasterTrain } from './raster-layout';

const rgb = (colour: readonly number[]) => `rgb(${colour.join(', ')})`;
import { cellAt, fullView, panView, revealCell, zoomView, type RasterView } from './raster-view';
import { baseStyles, chartStyles } from './theme';

/** Detail of `neuron-select`. */
export interface NeuronSelection {
  layer: string;
  neuron: number;
}

/**
 * A spike raster of one layer on a canvas: time steps across, neurons down, grouped and labelled by
 * token position. Wheel zooms (neurons; with Shift, time), dragging pans, hovering names the neuron
 * under the pointer with its token and spike count, clicking selects it (`neuron-select`); where a
 * pixel holds many neurons, both take the nearest neuron that spiked there (`snapToSpike`).
 * Keyboard: arrows move a cursor (Shift+↑/↓ by position), Enter selects, + / − zoom neurons,
 * [ / ] zoom time, 0 shows everything. Fires `raster-drawn` after each drawing of new data.
 */
@customElement('snn-raster')
export class SnnRaster extends LitElement {
  static override styles = [
    baseStyles,
    chartStyles,
    css`
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 14px;
        font-size: 12px;
        color: var(--snn-muted);
        margin-top: 4px;
      }
      .swatch.masked {
        border: 1px solid var(--snn-border-strong);
      }
      .frame {
        position: relative;
        width: 100%;
      }
      canvas {
        display: block;
        width: 100%;
        border-radius: 6px;
        cursor: crosshair;
        touch-action: none;
      }
      canvas.dragging {
        cursor: grabbing;
      }
      .tooltip {
        position: absolute;
        pointer-events: none;
        background: rgba(26, 32, 48, 0.94);
        color: #fff;
        font-size: 12px;
        line-height: 1.4;
        padding: 6px 8px;
        border-radius: 6px;
        max-width: 300px;
        z-index: 2;
      }
      .tooltip b {
        font-weight: 600;
      }
      .toolbar {
        display: flex;
        gap: 6px;
        align-items: center;
        margin-bottom: 6px;
        flex-wrap: wrap;
      }
      .toolbar button {
        padding: 2px 9px;
        font-size: 12px;
      }
      .hint {
        font-size: 12px;
        color: var(--snn-faint);
        margin-left: auto;
      }
    `,
  ];

  @property({ attribute: false }) train: RasterTrain | null = null;
  @property({ attribute: false }) context: RasterContext | null = null;
  /** Neuron (flat index) whose trace is shown, outlined in the raster. */
  @property({ attribute: false }) selectedNeuron: number | null = null;
  /** Canvas height in CSS pixels. */
  @property({ type: Number }) height = 320;

  @state() private view: RasterView = { row0: 0, rowSpan: 1, step0: 0, stepSpan: 1 };
  @state() private hover: { row: number; step: number; x: number; y: number } | null = null;
  /** The word pointed at elsewhere (the text's word strip): its rows are shaded. */
  @property({ type: Number }) word: number | null = null;
  /** The time scrubber's step (0-based): later steps are dimmed. */
  @property({ type: Number }) step: number | null = null;
  @state() private cursor: { row: number; step: number } | null = null;
  @state() private width = 0;
  @query('canvas') private canvas!: HTMLCanvasElement;
  private resizeObserver: ResizeObserver | null = null;
  private drag: { x: number; y: number; view: RasterView; moved: boolean } | null = null;
  private drawnTrain: RasterTrain | null = null;
  /** What the canvas shows now; hovering alone does not redraw it. */
  private drawn: unknown[] = [];

  private get extent() {
    return { rows: this.train ? this.train.positions * this.train.channels : 1, steps: this.train?.numSteps ?? 1 };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver((entries) => (this.width = Math.floor(entries[0].contentRect.width)));
    this.updateComplete.then(() => this.resizeObserver?.observe(this.renderRoot.querySelector('.frame')!));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('train') && this.train) {
      const previous = changed.get('train') as RasterTrain | null | undefined;
      const sameShape = previous && previous.layer === this.train.layer && previous.channels === this.train.channels && previous.numSteps === this.train.numSteps;
      const wasFull = previous && this.view.row0 === 0 && this.view.rowSpan >= previous.positions * previous.channels;
      this.view = sameShape && !wasFull ? panView(this.view, 0, 0, this.extent) : fullView(this.extent);
      if (this.cursor && this.cursor.row >= this.extent.rows) this.cursor = null;
    }
  }

  protected override updated(): void {
    if (!this.train || !this.context || this.width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    const inputs = [this.train, this.context, this.view, this.selectedNeuron, this.cursor, this.width, this.height, dpr, this.word, this.step];
    if (inputs.every((value, i) => value === this.drawn[i])) return;
    this.drawn = inputs;
    const geometry = rasterGeometry(this.width, this.height);
    this.canvas.width = Math.round(this.width * dpr);
    this.canvas.height = Math.round(this.height * dpr);
    drawRaster(this.canvas, this.train, this.context, this.view, geometry, dpr, { selected: this.selectedNeuron, cursor: this.cursor, word: this.word, step: this.step });
    if (this.drawnTrain !== this.train) {
      this.drawnTrain = this.train;
      this.dispatchEvent(new CustomEvent('raster-drawn', { detail: { layer: this.train.layer }, bubbles: true, composed: true }));
    }
  }

  /** Pointer position → plot fractions, or null outside the plot. */
  private plotFraction(event: PointerEvent | WheelEvent | MouseEvent): { x: number; y: number; px: number; py: number } | null {
    const rect = this.canvas.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    const geometry = rasterGeometry(this.width, this.height);
    const { plotWidth, plotHeight } = plotSize(geometry);
    const x = (px - geometry.gutter) / plotWidth;
    const y = py / plotHeight;
    return x >= 0 && x <= 1 && y >= 0 && y <= 1 ? { x, y, px, py } : null;
  }

  private onWheel(event: WheelEvent): void {
    const at = this.plotFraction(event);
    if (!at || !this.train) return;
    event.preventDefault();
    const time = event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY);
    const delta = time && event.deltaX !== 0 ? event.deltaX : event.deltaY;
    this.view = zoomView(this.view, time ? 'steps' : 'rows', Math.exp(delta * 0.0015), time ? at.x : at.y, this.extent);
  }

  private onPointerDown(event: PointerEvent): void {
    this.canvas.setPointerCapture(event.pointerId);
    this.drag = { x: event.clientX, y: event.clientY, view: this.view, moved: false };
  }

  private onPointerMove(event: PointerEvent): void {
    const { plotWidth, plotHeight } = plotSize(rasterGeometry(this.width, this.height));
    if (this.drag) {
      const dx = event.clientX - this.drag.x;
      const dy = event.clientY - this.drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) this.drag.moved = true;
      if (this.drag.moved) {
        this.view = panView(this.drag.view, (-dy / plotHeight) * this.drag.view.rowSpan, (-dx / plotWidth) * this.drag.view.stepSpan, this.extent);
        this.hover = null;
        return;
      }
    }
    const at = this.plotFraction(event);
    const cell = at ? this.markAt(at) : null;
    this.hover = cell && at ? { ...cell, x: at.px, y: at.py } : null;
    this.pointWord(cell && this.train && this.train.positions > 1 ? Math.floor(cell.row / this.train.channels) : null);
  }

  private pointedWord: number | null = null;

  /** Tells the page which word the pointer is on (`word-point`), so the text can mark it. */
  private pointWord(word: number | null): void {
    if (word === this.pointedWord) return;
    this.pointedWord = word;
    this.dispatchEvent(new CustomEvent<number | null>('word-point', { detail: word, bubbles: true, composed: true }));
  }

  /** The cell under a point, snapped to the nearest drawn spike (see `snapToSpike`). */
  private markAt(at: { x: number; y: number }): { row: number; step: number } | null {
    const cell = cellAt(this.view, at.x, at.y, this.extent);
    if (!cell || !this.train) return cell;
    const { plotWidth, plotHeight } = plotSize(rasterGeometry(this.width, this.height));
    return snapToSpike(this.train, cell, this.view.rowSpan / Math.max(1, plotHeight), this.view.stepSpan / Math.max(1, plotWidth));
  }

  private onPointerUp(event: PointerEvent): void {
    const drag = this.drag;
    this.drag = null;
    if (!drag || drag.moved) return;
    const at = this.plotFraction(event);
    const cell = at ? this.markAt(at) : null;
    if (cell) this.select(cell.row);
  }

  private select(neuron: number): void {
    if (!this.train) return;
    this.dispatchEvent(new CustomEvent<NeuronSelection>('neuron-select', { detail: { layer: this.train.layer, neuron }, bubbles: true, composed: true }));
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (!this.train) return;
    const extent = this.extent;
    const cursor = this.cursor ?? { row: Math.floor(this.view.row0), step: Math.floor(this.view.step0) };
    const move = (rows: number, steps: number) => {
      const next = { row: Math.min(extent.rows - 1, Math.max(0, cursor.row + rows)), step: Math.min(extent.steps - 1, Math.max(0, cursor.step + steps)) };
      this.cursor = next;
      this.view = revealCell(this.view, next.row, next.step, extent);
    };
    const handled: Record<string, () => void> = {
      ArrowDown: () => move(event.shiftKey ? this.train!.channels : 1, 0),
      ArrowUp: () => move(event.shiftKey ? -this.train!.channels : -1, 0),
      ArrowRight: () => move(0, 1),
      ArrowLeft: () => move(0, -1),
      PageDown: () => move(Math.max(1, Math.floor(this.view.rowSpan)), 0),
      PageUp: () => move(-Math.max(1, Math.floor(this.view.rowSpan)), 0),
      Enter: () => this.select(cursor.row),
      ' ': () => this.select(cursor.row),
      '+': () => (this.view = zoomView(this.view, 'rows', 0.5, 0.5, extent)),
      '=': () => (this.view = zoomView(this.view, 'rows', 0.5, 0.5, extent)),
      '-': () => (this.view = zoomView(this.view, 'rows', 2, 0.5, extent)),
      ']': () => (this.view = zoomView(this.view, 'steps', 0.5, 0.5, extent)),
      '[': () => (this.view = zoomView(this.view, 'steps', 2, 0.5, extent)),
      '0': () => (this.view = fullView(extent)),
    };
    const action = handled[event.key];
    if (!action) return;
    event.preventDefault();
    if (!this.cursor && event.key.startsWith('Arrow')) this.cursor = cursor;
    action();
  }

  private describe(cell: { row: number; step: number }) {
    if (!this.train || !this.context) return nothing;
    const info = neuronInfo(this.train, cell.row, this.context);
    const spikes = neuronSpikes(this.train, cell.row);
    const count = spikes.reduce((total, spike) => total + Math.abs(spike), 0);
    const now = spikes[cell.step];
    const word = sequenceStep(this.train, cell.step, this.context);
    const state = now > 0 ? 'spike' : now < 0 ? 'negative spike' : 'silent';
    return html`<b>${info.layer} · neuron ${info.neuron}</b><br />
      ${info.position !== null ? html`position ${info.position + 1} · “${info.token}”<br />` : nothing} ${info.role}<br />
      ${info.window ? html`window: ${info.window.join(' ')}${info.window.includes('∅') ? ' (∅: padding past the text)' : ''}<br />` : nothing}
      ${info.masked ? html`window runs past the text: no input<br />` : nothing}
      <b>${count} spike${count === 1 ? '' : 's'}</b> in ${this.train.numSteps} steps ·
      ${word ? html`word ${word.word + 1} “${word.token}”, step ${word.step + 1} of ${this.train.window}: ${state}` : html`step ${cell.step + 1}: ${state}`}`;
  }

  /** Whether the train holds negative spikes (bipolar neurons), to name their colour. */
  private hasNegative(): boolean {
    return this.train?.spikes.some((spike) => spike < 0) ?? false;
  }

  override render() {
    const positional = this.train?.role === 'positional' || this.train?.role === 'input';
    const plotHeight = plotSize(rasterGeometry(this.width, this.height)).plotHeight;
    const skipped = positional && this.train && this.train.positions > 1 ? labelEvery((plotHeight * this.train.channels) / Math.max(1e-6, this.view.rowSpan)) : 1;
    const hover = this.hover;
    const shown = hover ?? (this.cursor && this.matches(':focus-within') ? { ...this.cursor, x: rasterGeometry(this.width, this.height).gutter + 8, y: 8 } : null);
    const left = shown ? Math.min(shown.x + 14, Math.max(0, this.width - 300)) : 0;
    const top = shown ? (shown.y + 120 > this.height ? shown.y - 110 : shown.y + 14) : 0;
    const rows = this.extent.rows;
    return html`
      <div class="toolbar">
        <button type="button" @click=${() => (this.view = zoomView(this.view, 'rows', 0.5, 0.5, this.extent))} aria-label="Zoom in on neurons">Zoom in</button>
        <button type="button" @click=${() => (this.view = zoomView(this.view, 'rows', 2, 0.5, this.extent))} aria-label="Zoom out on neurons">Zoom out</button>
        <button type="button" @click=${() => (this.view = fullView(this.extent))}>Show all</button>
        <span class="hint">${rows.toLocaleString('en-US')} neurons × ${this.extent.steps} steps · wheel zooms (Shift: time), drag pans, click a neuron</span>
      </div>
      <div class="frame">
        <canvas
          tabindex="0"
          role="application"
          aria-roledescription="spike raster"
          aria-label=${`Spike raster of ${this.train?.layer ?? 'no layer'}: ${rows} neurons over ${this.extent.steps} steps. Arrow keys move, Enter shows the membrane potential, plus and minus zoom.`}
          style="height:${this.height}px"
          data-word=${this.word ?? ''}
          data-view=${[this.view.row0, this.view.rowSpan, this.view.step0, this.view.stepSpan].map((value) => +value.toFixed(2)).join(',')}
          class=${this.drag?.moved ? 'dragging' : ''}
          @wheel=${this.onWheel}
          @pointerdown=${this.onPointerDown}
          @pointermove=${this.onPointerMove}
          @pointerup=${this.onPointerUp}
          @pointerleave=${() => {
            this.hover = null;
            this.pointWord(null);
          }}
          @keydown=${this.onKeyDown}
          @focus=${() => this.requestUpdate()}
          @blur=${() => this.requestUpdate()}
        ></canvas>
        ${shown ? html`<div class="tooltip" role="status" data-testid="raster-tooltip" style="left:${left}px;top:${top}px">${this.describe(shown)}</div>` : nothing}
      </div>
      <div class="legend" data-testid="raster-legend">
        <span><span class="swatch" style="background:${rgb(RASTER_COLOURS.spike)}"></span>a spike (darker: more spikes in the pixel)</span>
        ${this.hasNegative() ? html`<span><span class="swatch" style="background:${rgb(RASTER_COLOURS.negativeSpike)}"></span>a negative spike (bipolar neurons)</span>` : nothing}
        ${positional ? html`<span><span class="swatch masked" style="background:${rgb(RASTER_COLOURS.masked)}"></span>no input: the position is past the text</span>` : nothing}
        <span>${positional ? 'rows: neurons, grouped by the word their window starts at' : 'rows: neurons'}; across: ${this.train?.role === 'sequence' ? `the sentence’s steps, ${this.train.window ?? ''} per word` : 'time steps'}</span>
        ${skipped > 1 ? html`<span data-testid="raster-label-note">the words are named every ${skipped} rows of words (zoom in to name each)</span>` : nothing}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-raster': SnnRaster;
  }
}
