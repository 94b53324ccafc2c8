import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { baseStyles } from './theme';

/** Tokens drawn at most; a longer text shows its beginning and says how many it has. */
export const MAX_STRIP_TOKENS = 400;

/**
 * The words as the model read them, each shaded by how strongly it drove the network (the share of
 * first-layer spikes its windows caused, `token-drive.ts`). Words the model does not know are
 * struck through: they reach the network as silence.
 */
@customElement('snn-token-strip')
export class SnnTokenStrip extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .strip {
        display: flex;
        flex-wrap: wrap;
        gap: 3px;
        max-height: 132px;
        overflow-y: auto;
      }
      .token {
        border-radius: 4px;
        padding: 1px 5px;
        font-size: 13px;
        border: 1px solid transparent;
        color: var(--snn-text);
        white-space: pre;
      }
      .token.pointed {
        border-color: #e8590c;
        box-shadow: 0 0 0 1px #e8590c;
      }
      .token.unknown {
        color: var(--snn-faint);
        text-decoration: line-through;
        border: 1px dashed var(--snn-border-strong);
      }
      .legend {
        display: flex;
        align-items: center;
        gap: 6px;
        font-size: 12px;
        color: var(--snn-muted);
        margin-top: 6px;
        flex-wrap: wrap;
      }
      .scale {
        width: 64px;
        height: 8px;
        border-radius: 4px;
        background: linear-gradient(to right, rgba(43, 75, 176, 0.06), rgba(43, 75, 176, 0.75));
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
      }
    `,
  ];

  @property({ attribute: false }) tokens: readonly string[] = [];
  /** Drive per token, 0 … 1 (share of the strongest word). */
  @property({ attribute: false }) drive: Float32Array | null = null;
  /** Whether each token is in the model's vocabulary. */
  @property({ attribute: false }) known: readonly boolean[] = [];
  /** Spike events per token before normalising, for the tooltip. */
  @property({ attribute: false }) rawDrive: Float32Array | null = null;
  /** The word pointed at in the raster: marked here. */
  @property({ type: Number }) pointed: number | null = null;

  private point(word: number | null): void {
    this.dispatchEvent(new CustomEvent<number | null>('word-point', { detail: word, bubbles: true, composed: true }));
  }

  override render() {
    if (this.tokens.length === 0) return nothing;
    const shown = this.tokens.slice(0, MAX_STRIP_TOKENS);
    const unknown = this.known.filter((isKnown) => !isKnown).length;
    return html`
      <div class="head">
        <label id="strip-label">Words and how strongly they drove the network</label>
      </div>
      <div class="strip" role="list" aria-labelledby="strip-label">
        ${shown.map((token, i) => {
          const isKnown = this.known[i] ?? true;
          const strength = this.drive?.[i] ?? 0;
          const raw = this.rawDrive?.[i];
          const title = isKnown ? `“${token}”: ${raw !== undefined ? `${raw.toFixed(1)} first-layer spikes` : ''} (${Math.round(strength * 100)} % of the strongest word)` : `“${token}” is not in the model's vocabulary: it is silent`;
          const background = isKnown ? `rgba(43, 75, 176, ${(0.06 + 0.69 * strength).toFixed(3)})` : 'transparent';
          const colour = isKnown && strength > 0.6 ? '#fff' : '';
          return html`<span role="listitem" class="token ${isKnown ? '' : 'unknown'} ${this.pointed === i ? 'pointed' : ''}" data-word=${i} style="background:${background};${colour ? `color:${colour}` : ''}" title=${title}
            @pointerenter=${() => this.point(i)} @pointerleave=${() => this.point(null)}>${token}</span>`;
        })}
      </div>
      <div class="legend">
        <span>weak</span><span class="scale" aria-hidden="true"></span><span>strong</span>
        ${unknown > 0 ? html`<span>· ${unknown} of ${this.tokens.length} words unknown to the model (struck through, silent)</span>` : nothing}
        ${this.tokens.length > MAX_STRIP_TOKENS ? html`<span>· showing the first ${MAX_STRIP_TOKENS} of ${this.tokens.length.toLocaleString('en-US')} words</span>` : nothing}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-token-strip': SnnTokenStrip;
  }
}
