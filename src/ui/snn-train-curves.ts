import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { EpochRecord } from '../train/run';
import { baseStyles } from './theme';

/** One point of the running curves: where in the run (in epochs, fractional), and the epoch's means so far. */
export interface CurvePoint {
  at: number;
  loss: number;
  trainAccuracy: number;
}

/** Points of a polyline over a plot box; y from `low` to `high`. */
export function polyline(points: readonly { x: number; y: number }[], xMax: number, low: number, high: number, box: { left: number; top: number; width: number; height: number }): string {
  const span = high - low || 1;
  return points
    .map((p) => `${(box.left + (p.x / Math.max(1e-9, xMax)) * box.width).toFixed(1)},${(box.top + box.height - ((Math.min(high, Math.max(low, p.y)) - low) / span) * box.height).toFixed(1)}`)
    .join(' ');
}

/**
 * The curves of a training run: the loss (the running mean over each epoch, as batches finish) and
 * the accuracy (train, running; dev, after each epoch), against epochs. Plain SVG, drawn at the width
 * it is given, so it reads at 420 px as at 1280.
 */
@customElement('snn-train-curves')
export class SnnTrainCurves extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      .plots {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
        gap: 12px;
      }
      figure {
        margin: 0;
      }
      figcaption {
        font-size: 12.5px;
        color: var(--snn-muted);
        margin-bottom: 4px;
      }
      svg {
        width: 100%;
        height: auto;
        display: block;
      }
      .axis {
        stroke: var(--snn-border-strong);
      }
      .grid {
        stroke: var(--snn-border);
        stroke-dasharray: 2 3;
      }
      text {
        font-size: 10px;
        fill: var(--snn-muted);
      }
      .loss {
        stroke: var(--snn-accent);
      }
      .train {
        stroke: #868e96;
      }
      .dev {
        stroke: #d9480f;
      }
      .key {
        display: inline-block;
        width: 14px;
        height: 0;
        border-top: 2px solid;
        vertical-align: middle;
        margin: 0 4px 0 10px;
      }
    `,
  ];

  /** Running points (one per reported batch). */
  @property({ attribute: false }) points: CurvePoint[] = [];
  /** Finished epochs. */
  @property({ attribute: false }) history: EpochRecord[] = [];
  @property({ type: Number }) epochs = 1;

  private plot(kind: 'loss' | 'accuracy') {
    const box = { left: 34, top: 8, width: 250, height: 110 };
    const width = box.left + box.width + 8;
    const height = box.top + box.height + 22;
    const xMax = Math.max(1, this.epochs);
    const running = this.points.map((p) => ({ x: p.at, y: kind === 'loss' ? p.loss : 100 * p.trainAccuracy }));
    const epochEnds = this.history.map((record) => ({ x: record.epoch, y: kind === 'loss' ? record.trainLoss : 100 * record.trainAccuracy }));
    const dev = this.history.map((record) => ({ x: record.epoch, y: 100 * record.devAccuracy }));
    let low = 0;
    let high = 100;
    if (kind === 'loss') {
      const values = [...running, ...epochEnds].map((p) => p.y).filter(Number.isFinite);
      high = values.length ? Math.max(...values) * 1.05 : 1;
      low = 0;
    } else {
      const values = [...running, ...dev].map((p) => p.y).filter(Number.isFinite);
      low = values.length ? Math.max(0, Math.floor((Math.min(...values) - 5) / 10) * 10) : 0;
      high = 100;
    }
    const ticks = [low, (low + high) / 2, high];
    const label = (value: number) => (kind === 'loss' ? value.toPrecision(2) : `${Math.round(value)}`);
    const xTicks = Array.from({ length: xMax + 1 }, (_, i) => i).filter((i) => xMax <= 10 || i % Math.ceil(xMax / 10) === 0);
    const x = (epoch: number) => box.left + (epoch / xMax) * box.width;
    const y = (value: number) => box.top + box.height - ((value - low) / (high - low || 1)) * box.height;
    return html`<figure>
      <figcaption>
        ${kind === 'loss'
          ? html`Loss (cross-entropy, mean over the epoch so far)`
          : html`Accuracy % <span class="key" style="border-color:#868e96"></span>train <span class="key" style="border-color:#d9480f"></span>dev`}
      </figcaption>
      <svg viewBox="0 0 ${width} ${height}" role="img" aria-label=${kind === 'loss' ? 'Training loss against epochs' : 'Train and dev accuracy against epochs'} data-testid="curve-${kind}">
        ${ticks.map((t) => svg`<line class="grid" x1=${box.left} x2=${box.left + box.width} y1=${y(t)} y2=${y(t)}></line><text x=${box.left - 4} y=${y(t) + 3} text-anchor="end">${label(t)}</text>`)}
        <line class="axis" x1=${box.left} x2=${box.left} y1=${box.top} y2=${box.top + box.height}></line>
        <line class="axis" x1=${box.left} x2=${box.left + box.width} y1=${box.top + box.height} y2=${box.top + box.height}></line>
        ${xTicks.map((i) => svg`<text x=${x(i)} y=${box.top + box.height + 12} text-anchor="middle">${i}</text>`)}
        <text x=${box.left + box.width} y=${height - 1} text-anchor="end">epoch</text>
        ${running.length > 1 ? svg`<polyline fill="none" stroke-width="1.5" class=${kind === 'loss' ? 'loss' : 'train'} points=${polyline(running, xMax, low, high, box)}></polyline>` : nothing}
        ${kind === 'accuracy' && dev.length > 0
          ? svg`<polyline fill="none" stroke-width="2" class="dev" points=${polyline([{ x: 0, y: dev[0].y }, ...dev].slice(dev.length > 1 ? 1 : 0), xMax, low, high, box)}></polyline>
              ${dev.map((p) => svg`<circle cx=${x(p.x)} cy=${y(p.y)} r="3" fill="#d9480f" data-testid="dev-point"><title>epoch ${p.x}: dev ${p.y.toFixed(1)} %</title></circle>`)}`
          : nothing}
      </svg>
    </figure>`;
  }

  override render() {
    return html`<div class="plots">${this.plot('loss')}${this.plot('accuracy')}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-train-curves': SnnTrainCurves;
  }
}
