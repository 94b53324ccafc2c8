import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { UserMessage } from '../worker/client';
import { baseStyles } from './theme';

/**
 * A problem said plainly: a short title, what went wrong and what to do, and a "Try again" button
 * (`retry` event) when trying again can help. Input problems are warnings; the rest are errors.
 */
@customElement('snn-problem')
export class SnnProblem extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: contents;
      }
      .message {
        overflow-wrap: anywhere;
      }
      button {
        margin-left: 8px;
        padding: 1px 8px;
        font-size: 12px;
      }
    `,
  ];

  @property({ attribute: false }) problem: UserMessage | null = null;
  /** `data-testid` of the message, for the browser tests. */
  @property({ attribute: 'test-id' }) testId = '';

  override render() {
    const problem = this.problem;
    if (!problem) return nothing;
    return html`<div class="message ${problem.kind === 'input' ? 'warn' : 'error'}" role="alert" data-testid=${this.testId || nothing}>
      <b>${/[.?!…]$/.test(problem.title) ? problem.title : `${problem.title}.`}</b> ${problem.detail}
      ${problem.retry ? html`<button type="button" @click=${() => this.dispatchEvent(new CustomEvent('retry', { bubbles: true, composed: true }))}>Try again</button>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-problem': SnnProblem;
  }
}
