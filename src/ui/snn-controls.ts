import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ModelIndexEntry } from './model-index';
import { samePath } from './model-index';
import { encodingOptions, encodingWarning, type InputForm } from './encoding-fit';
import { baseStyles } from './theme';
import { MAX_SEED, MAX_STEPS, type EncodingChoice } from './url-state';

/** Detail of `options-change`: the run options a person changed. */
export interface OptionsChange {
  numSteps?: number;
  encoding?: EncodingChoice;
  seed?: number;
}

/** Steps offered in the list next to the T field. */
const STEP_PRESETS = [1, 2, 4, 8, 16, 32, 50, 100];

/**
 * The run settings: which model (every shipped model, grouped by language, plus a model opened by
 * URL), the number of steps T, the encoding and the seed. Fires `model-change` (detail: the model
 * path) and `options-change` (detail: `OptionsChange`) when a valid value is entered.
 */
@customElement('snn-controls')
export class SnnControls extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .grid {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 10px 12px;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 3px;
        min-width: 0;
      }
      .model,
      .encoding {
        grid-column: 1 / -1;
      }
      .seed-row {
        display: flex;
        gap: 4px;
      }
      .seed-row input {
        flex: 1;
        min-width: 0;
      }
      .seed-row button {
        padding: 4px 7px;
      }
      input:invalid {
        border-color: var(--snn-bad);
      }
      select,
      input {
        width: 100%;
        height: 32px;
      }
      .hint {
        font-size: 12px;
        color: var(--snn-muted);
      }
    `,
  ];

  /** Models of `models/index.json`. */
  @property({ attribute: false }) models: ModelIndexEntry[] = [];
  /** Path of the model in use (may be one not in the index, opened by URL). */
  @property({ attribute: false }) modelPath: string | null = null;
  @property({ type: Number }) numSteps = 16;
  @property() encoding: EncodingChoice = 'rate';
  @property({ type: Number }) seed = 1;
  /** The model's own defaults, shown as hints. */
  @property({ attribute: false }) modelDefaults: { numSteps: number; encoding: EncodingChoice } | null = null;
  /** The input the model was made for: the menu marks the other choice and warns when it is taken. */
  @property({ attribute: false }) inputForm: InputForm | null = null;

  private emit<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed: true }));
  }

  private onModel(event: Event): void {
    const path = (event.target as HTMLSelectElement).value;
    if (path) this.emit('model-change', path);
  }

  private onSteps(event: Event): void {
    const input = event.target as HTMLInputElement;
    const value = Number(input.value);
    if (input.value !== '' && Number.isInteger(value) && value >= 1 && value <= MAX_STEPS) this.emit<OptionsChange>('options-change', { numSteps: value });
  }

  private onSeed(event: Event): void {
    const input = event.target as HTMLInputElement;
    const value = Number(input.value);
    if (input.value !== '' && Number.isInteger(value) && value >= 0 && value <= MAX_SEED) this.emit<OptionsChange>('options-change', { seed: value });
  }

  private newSeed(): void {
    this.emit<OptionsChange>('options-change', { seed: Math.floor(Math.random() * 100000) });
  }

  private renderModelOptions() {
    const known = this.models.some((entry) => this.modelPath !== null && samePath(entry.path, this.modelPath));
    const group = (language: 'en' | 'zh', label: string) => {
      const entries = this.models.filter((entry) => entry.language === language);
      return entries.length === 0
        ? nothing
        : html`<optgroup label=${label}>
            ${entries.map((entry) => html`<option value=${entry.path} ?selected=${this.modelPath !== null && samePath(entry.path, this.modelPath)}>${entry.name}</option>`)}
          </optgroup>`;
    };
    return html`
      ${this.modelPath === null ? html`<option value="" selected disabled>No model</option>` : nothing}
      ${this.modelPath !== null && !known ? html`<option value=${this.modelPath} selected>Opened by link: ${this.modelPath}</option>` : nothing}
      ${group('en', 'English')} ${group('zh', 'Chinese')}
    `;
  }

  override render() {
    const defaults = this.modelDefaults;
    const warning = encodingWarning(this.inputForm, this.encoding);
    return html`
      <div class="grid">
        <div class="field model">
          <label for="model">Model</label>
          <select id="model" @change=${this.onModel} ?disabled=${this.models.length === 0 && this.modelPath === null}>${this.renderModelOptions()}</select>
        </div>
        <div class="field encoding">
          <label for="encoding" title="Rate: each embedding component fires with its probability at every step. Direct: the probability is fed as a constant current.">Encoding</label>
          <select id="encoding" .value=${this.encoding} @change=${(event: Event) => this.emit<OptionsChange>('options-change', { encoding: (event.target as HTMLSelectElement).value as EncodingChoice })}>
            ${encodingOptions(this.inputForm).map((option) => html`<option value=${option.value} ?selected=${this.encoding === option.value}>${option.label}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="steps">Steps T</label>
          <input id="steps" type="number" min="1" max=${MAX_STEPS} step="1" required list="step-presets" .value=${String(this.numSteps)} @input=${this.onSteps} />
          <datalist id="step-presets">${STEP_PRESETS.map((steps) => html`<option value=${steps}></option>`)}</datalist>
        </div>
        <div class="field">
          <label for="seed">Seed</label>
          <div class="seed-row">
            <input id="seed" type="number" min="0" max=${MAX_SEED} step="1" required .value=${String(this.seed)} @input=${this.onSeed} />
            <button type="button" title="Draw a new seed" aria-label="Draw a new seed" @click=${this.newSeed}>↻</button>
          </div>
        </div>
      </div>
      ${defaults ? html`<p class="hint" style="margin:6px 0 0">Model default: T = ${defaults.numSteps}, ${defaults.encoding} encoding.</p>` : nothing}
      ${warning ? html`<p class="message warn" role="status" data-testid="encoding-warning">${warning}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-controls': SnnControls;
  }
}
