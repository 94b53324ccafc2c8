import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { EngineStatus } from '../worker/api';
import { baseStyles } from './theme';

/** The CPU backend's name and the reason in the engine's detail, `NAME (reason)`. */
function cpuDetail(detail: string): { name: string; why: string } {
  const match = /^(.*?) \((.*)\)$/.exec(detail);
  return match ? { name: match[1], why: match[2] } : { name: detail, why: '' };
}

/**
 * What runs the network: WebGPU with the adapter's name, or the CPU reference, with a clear
 * banner saying why when the page fell back to it (no WebGPU, no adapter, a refused device).
 */
@customElement('snn-backend-banner')
export class SnnBackendBanner extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .bar {
        display: flex;
        align-items: center;
        gap: 8px;
        flex-wrap: wrap;
        padding: 7px 20px;
        font-size: 13px;
        border-bottom: 1px solid var(--snn-border);
      }
      .gpu {
        background: var(--snn-surface);
        color: var(--snn-muted);
      }
      .fallback {
        background: var(--snn-warn-soft);
        color: var(--snn-warn);
        border-bottom-color: #f1d9a8;
      }
      .chosen {
        background: var(--snn-accent-soft);
        color: var(--snn-accent);
      }
      .dot {
        width: 8px;
        height: 8px;
        border-radius: 50%;
        flex: none;
      }
      .gpu .dot {
        background: var(--snn-good);
      }
      .fallback .dot {
        background: #e67700;
      }
      .chosen .dot {
        background: var(--snn-accent);
      }
      b {
        color: var(--snn-text);
        font-weight: 600;
      }
      .why {
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) status: EngineStatus | null = null;
  /** The CPU was asked for (`?backend=cpu`), not fallen back to. */
  @property({ type: Boolean }) forcedCpu = false;

  override render() {
    const status = this.status;
    if (!status) return html`<div class="bar gpu" role="status"><span class="dot" style="background:#c5cbd6"></span>Starting the engine…</div>`;
    if (status.backend === 'gpu') {
      return html`<div class="bar gpu" role="status" data-testid="backend" data-backend="gpu">
        <span class="dot"></span><b>WebGPU</b><span class="why">${status.detail}</span>
        ${status.hasTimestamps ? html`<span>· GPU timestamps on</span>` : nothing}
      </div>`;
    }
    const cpu = cpuDetail(status.detail);
    if (this.forcedCpu) {
      return html`<div class="bar chosen" role="status" data-testid="backend" data-backend="cpu">
        <span class="dot"></span><b>CPU</b><span class="why">${cpu.name}</span><span>chosen with <code>?backend=${cpu.name.startsWith('CPU reference') ? 'reference' : 'cpu'}</code>; remove it from the address to use WebGPU.</span>
      </div>`;
    }
    return html`<div class="bar fallback" role="alert" data-testid="backend" data-backend="cpu">
      <span class="dot"></span><b>Running on the CPU</b>
      <span class="why" data-testid="fallback-reason">WebGPU could not be used, so the network runs on the CPU (${cpu.name}): the same spikes, more slowly. Why: ${cpu.why}</span>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-backend-banner': SnnBackendBanner;
  }
}
