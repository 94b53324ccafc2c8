import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { baseStyles } from './theme';

/** Example sentences offered under the text field, by model language. */
const EXAMPLES: Record<string, string[]> = {
  en: ['a gorgeous , witty and touching film', 'the plot is thin and the acting is wooden', 'it is not a bad movie , just a forgettable one'],
  zh: ['这家酒店的服务很好，房间也很干净', '送餐太慢了，菜都凉了', '电脑运行速度快，屏幕清楚'],
};

/**
 * The text to classify: a labelled text area that fires `text-change` (detail: the whole text) on
 * every edit; the app debounces and sends only the latest text. Also offers example sentences in
 * the model's language while the field is empty, or while its text is in another language than the
 * model's, and counts characters, so a long paste is visibly accepted.
 */
@customElement('snn-text-input')
export class SnnTextInput extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .head {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        margin-bottom: 3px;
      }
      textarea {
        display: block;
        width: 100%;
        min-height: 96px;
        max-height: 40vh;
        resize: vertical;
        font-size: 15px;
        line-height: 1.5;
        padding: 8px 10px;
      }
      .examples {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        margin-top: 6px;
        align-items: center;
      }
      .examples button {
        font-size: 12px;
        padding: 2px 8px;
        border-radius: 999px;
        color: var(--snn-muted);
        max-width: 100%;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .count {
        font-size: 12px;
        color: var(--snn-faint);
      }
    `,
  ];

  @property() value = '';
  /** The model's language, for the examples and the placeholder. */
  @property() language = 'en';
  @property({ type: Boolean }) disabled = false;
  /** Offer the examples even with text in the field (the text does not fit the model's language). */
  @property({ type: Boolean }) offerExamples = false;

  private change(value: string): void {
    this.value = value;
    this.dispatchEvent(new CustomEvent<string>('text-change', { detail: value, bubbles: true, composed: true }));
  }

  /** An example chosen (by click or keyboard): the chips go away, so the caret moves to the text instead of the page. */
  private choose(example: string): void {
    this.change(example);
    void this.updateComplete.then(() => this.focus());
  }

  /** Puts the caret in the text field. */
  override focus(): void {
    this.renderRoot.querySelector('textarea')?.focus();
  }

  override render() {
    const examples = EXAMPLES[this.language] ?? EXAMPLES.en;
    const placeholder = this.language === 'zh' ? '输入或粘贴中文文本…' : 'Type or paste a sentence…';
    return html`
      <div class="head">
        <label for="text">Text</label>
        <span class="count num" aria-live="off">${this.value.length > 0 ? `${this.value.length.toLocaleString('en-US')} characters` : nothing}</span>
      </div>
      <textarea
        id="text"
        spellcheck="false"
        placeholder=${placeholder}
        ?disabled=${this.disabled}
        .value=${live(this.value)}
        @input=${(event: Event) => this.change((event.target as HTMLTextAreaElement).value)}
      ></textarea>
      ${this.value === '' || this.offerExamples
        ? html`<div class="examples">
            <span class="small muted">${this.value === '' ? 'Try' : this.language === 'zh' ? 'Try one in Chinese' : 'Try one in English'}</span>
            ${examples.map((example) => html`<button type="button" title=${example} @click=${() => this.choose(example)}>${example}</button>`)}
          </div>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-text-input': SnnTextInput;
  }
}
