import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { baseStyles } from './theme';

/** One tab: its id (fired in `view-change`) and its label. */
export interface TabSpec {
  id: string;
  label: string;
}

/**
 * A tab list over slotted content (the selected view): arrow keys move between tabs, the selected
 * tab alone is in the tab order (the ARIA tabs pattern). Fires `view-change` with the tab's id.
 */
@customElement('snn-tabs')
export class SnnTabs extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      .tabs {
        display: flex;
        gap: 2px;
        border-bottom: 1px solid var(--snn-border);
        margin: -4px -16px 14px;
        padding: 0 12px;
      }
      button {
        border: none;
        border-bottom: 2px solid transparent;
        border-radius: 0;
        background: none;
        padding: 8px 14px;
        font-size: 14px;
        font-weight: 500;
        color: var(--snn-muted);
      }
      button[aria-selected='true'] {
        color: var(--snn-accent);
        border-bottom-color: var(--snn-accent);
      }
      button:hover:not(:disabled) {
        background: none;
        color: var(--snn-text);
      }
      @media (max-width: 900px) {
        .tabs {
          margin: -4px -12px 12px;
          padding: 0 6px;
        }
      }
    `,
  ];

  @property({ attribute: false }) tabs: readonly TabSpec[] = [];
  @property() selected = '';
  /** Names the tab list for assistive technology. */
  @property() label = 'Views';

  private choose(id: string, focus: boolean): void {
    this.dispatchEvent(new CustomEvent<string>('view-change', { detail: id, bubbles: true, composed: true }));
    if (focus) this.updateComplete.then(() => (this.renderRoot.querySelector(`#tab-${id}`) as HTMLElement | null)?.focus());
  }

  private onKey(event: KeyboardEvent): void {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0 || this.tabs.length === 0) return;
    event.preventDefault();
    const index = this.tabs.findIndex((tab) => tab.id === this.selected);
    this.choose(this.tabs[(index + step + this.tabs.length) % this.tabs.length].id, true);
  }

  override render() {
    return html`
      <div class="tabs" role="tablist" aria-label=${this.label}>
        ${this.tabs.map(
          (tab) => html`<button type="button" role="tab" id="tab-${tab.id}" aria-controls="panel" aria-selected=${tab.id === this.selected ? 'true' : 'false'}
            tabindex=${tab.id === this.selected ? 0 : -1} @click=${() => this.choose(tab.id, false)} @keydown=${this.onKey}>${tab.label}</button>`,
        )}
      </div>
      <div role="tabpanel" id="panel" aria-labelledby="tab-${this.selected}"><slot></slot></div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-tabs': SnnTabs;
  }
}
