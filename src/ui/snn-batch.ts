import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { BatchOutcome } from '../worker/api';
import { isCancelled, type SpikescopeClient } from '../worker/client';
import { BATCH_LIMITS, MAX_BATCH_FILE_BYTES, tooLargeMessage, type BatchFile, type BatchFileSummary } from './batch-file';
import { labelToClass } from './batch-summary';
import { formatPercent } from './energy-view';
import { baseStyles, classColour, dropStyles, figureStyles } from './theme';
import './snn-confusion';

/** Detail of `batch-run`: the file read in the worker, by its number of texts. */
export interface BatchRequest {
  total: number;
}

const FORMAT_NAMES: Record<BatchFile['format'], string> = { lines: 'one text per line', tsv: 'TSV', csv: 'CSV', 'label-lines': 'a label, then the text, per line (as SST)' };

/**
 * Batch classification: drop or pick a text file (the layouts of `readLabelledTextFile`), run it
 * (`batch-run`) with a progress bar and a cancel button (`batch-cancel`), then see accuracy and a
 * confusion matrix when the file has labels, list the first rows or the misclassified ones, open
 * any in the inspector (`batch-inspect`), and export the results as CSV.
 * The file is read, kept, classified and exported in the engine worker (`client`); this element
 * only shows summaries, so a file of any size never blocks the page.
 */
@customElement('snn-batch')
export class SnnBatch extends LitElement {
  static override styles = [
    baseStyles,
    figureStyles,
    dropStyles,
    css`
      .row {
        display: flex;
        gap: 10px;
        align-items: center;
        flex-wrap: wrap;
        margin: 12px 0;
      }
      progress {
        flex: 1;
        min-width: 160px;
        height: 10px;
        accent-color: var(--snn-accent);
      }
      .scores {
        display: grid;
        grid-template-columns: repeat(3, minmax(0, 1fr));
        gap: 10px;
        margin: 12px 0;
      }
      .preview {
        width: 100%;
        border-collapse: collapse;
        font-size: 12.5px;
        margin-top: 12px;
        table-layout: fixed;
      }
      .preview td,
      .preview th {
        border-bottom: 1px solid var(--snn-border);
        padding: 4px 6px;
        text-align: left;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .preview th {
        color: var(--snn-muted);
        font-weight: 600;
      }
      .preview th:first-child {
        width: 3.2em;
      }
      .preview th:last-child {
        width: 5.5em;
      }
      .preview td.num {
        text-align: right;
      }
      .preview button.inspect {
        padding: 1px 6px;
        font-size: 12px;
      }
      .table-wrap {
        max-height: 420px;
        overflow: auto;
        position: relative;
      }
      [role='radio'][aria-checked='true'] {
        border-color: var(--snn-accent);
        color: var(--snn-accent);
        font-weight: 600;
      }
      @media (max-width: 560px) {
        .scores {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  @property({ attribute: false }) classes: readonly string[] = [];
  /** The engine, which reads, keeps and exports the file. */
  @property({ attribute: false }) client: SpikescopeClient | null = null;
  @property({ type: Boolean }) running = false;
  @property({ attribute: false }) progress: { done: number; total: number } | null = null;
  /** The last finished run. */
  @property({ attribute: false }) outcome: BatchOutcome | null = null;
  /** A run failed or was cancelled. */
  @property() runMessage: string | null = null;
  @state() private file: BatchFileSummary | null = null;
  @state() private reading: string | null = null;
  @state() private fileError: string | null = null;
  @state() private dragOver = false;
  /** Which rows of a finished batch the table lists. */
  @state() private listing: 'first' | 'mistakes' = 'first';
  private readId = 0;

  /** Reads a file the person dropped or picked: in the worker, a newer file replacing an older one. */
  async readFile(file: File): Promise<void> {
    const id = ++this.readId;
    this.fileError = null;
    this.file = null;
    this.reading = null;
    if (file.size > MAX_BATCH_FILE_BYTES) {
      this.fileError = tooLargeMessage(file.name, file.size);
      return;
    }
    if (!this.client) {
      this.fileError = `"${file.name}" could not be read: the engine is not running.`;
      return;
    }
    this.reading = file.name;
    try {
      const summary = await this.client.readBatchFile(file);
      if (id === this.readId) this.file = summary;
    } catch (error) {
      if (id !== this.readId || isCancelled(error)) return;
      const { name, message } = error as Error;
      this.fileError = name === 'BatchFileError' ? message : `"${file.name}" could not be read: ${message}`;
    } finally {
      if (id === this.readId) this.reading = null;
    }
  }

  private onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragOver = false;
    const file = event.dataTransfer?.files[0];
    if (file) void this.readFile(file);
  }

  private run(): void {
    if (!this.file) return;
    this.dispatchEvent(new CustomEvent<BatchRequest>('batch-run', { detail: { total: this.file.count }, bubbles: true, composed: true }));
  }

  private async exportCsv(): Promise<void> {
    if (!this.outcome || !this.client) return;
    const name = this.outcome.name;
    const url = URL.createObjectURL(await this.client.exportBatchCsv());
    const link = document.createElement('a');
    link.href = url;
    link.download = `${name.replace(/\.[^.]+$/, '')}-spikescope.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  private renderFile() {
    if (this.fileError) return html`<p class="message error" role="alert" data-testid="batch-file-error">${this.fileError}</p>`;
    if (this.reading !== null) return html`<p class="small muted" role="status" data-testid="batch-file-reading">Reading <b>${this.reading}</b>…</p>`;
    if (!this.file) return nothing;
    const { name, count, format, labels } = this.file;
    return html`<div class="row">
      <span
        ><b>${name}</b> · ${count.toLocaleString('en-US')} texts · ${FORMAT_NAMES[format]} ·
        ${labels ? `labels: ${labels.slice(0, 6).join(', ')}${labels.length > 6 ? ', …' : ''}` : 'no labels'}</span
      >
      <button type="button" class="primary" ?disabled=${this.running} @click=${this.run}>Classify ${count.toLocaleString('en-US')} texts</button>
    </div>`;
  }

  /** A file's label as the model's class name where it names one (`1` → `positive`). */
  private labelName(label: string | null): string {
    if (label === null) return '—';
    const index = labelToClass(label, this.classes);
    return index >= 0 && this.classes[index].toLowerCase() !== label.trim().toLowerCase() ? `${this.classes[index]} (${label})` : label;
  }

  private inspect(text: string): void {
    this.dispatchEvent(new CustomEvent<string>('batch-inspect', { detail: text, bubbles: true, composed: true }));
  }

  private renderResults(outcome: BatchOutcome) {
    const { summary, labelled } = outcome;
    const labels = labelled;
    const showing = this.listing === 'mistakes' && labels ? 'mistakes' : 'first';
    const rows: (BatchOutcome['preview'][number] & { row?: number })[] = showing === 'mistakes' ? outcome.mistakes : outcome.preview.map((row, i) => ({ ...row, row: i + 1 }));
    return html`
      <div class="scores">
        <div class="figure">
          <div class="what">SNN accuracy${summary.accuracy !== null ? ` (${summary.matched} labelled)` : ''}</div>
          <div class="value num" data-testid="batch-accuracy">${summary.accuracy === null ? '—' : formatPercent(summary.accuracy)}</div>
        </div>
        <div class="figure">
          <div class="what">ANN twin accuracy</div>
          <div class="value num">${formatPercent(summary.annAccuracy)}</div>
        </div>
        <div class="figure">
          <div class="what">SNN and ANN agree on</div>
          <div class="value num">${formatPercent(summary.agreement)}</div>
        </div>
      </div>
      ${summary.accuracy === null && !labels ? html`<p class="small muted">The file has no labels, so there is no accuracy; the predictions can be exported.</p>` : nothing}
      ${summary.unmatchedLabels.length > 0
        ? html`<p class="message warn">Labels that name no class of this model (${this.classes.join(', ')}) were left out of the accuracy: ${summary.unmatchedLabels.join(', ')}.</p>`
        : nothing}
      ${summary.confusion ? html`<snn-confusion .matrix=${summary.confusion} .classes=${this.classes}></snn-confusion>` : nothing}
      <div class="row">
        <button type="button" @click=${this.exportCsv} data-testid="batch-export">Export results as CSV</button>
        <span class="small muted">${outcome.total.toLocaleString('en-US')} rows: text, label, SNN and ANN labels and scores.</span>
      </div>
      <div class="row" role="radiogroup" aria-label="Rows shown">
        <button type="button" role="radio" aria-checked=${showing === 'first' ? 'true' : 'false'} @click=${() => (this.listing = 'first')}>First ${outcome.preview.length} rows</button>
        ${labels
          ? html`<button type="button" role="radio" data-testid="batch-mistakes" aria-checked=${showing === 'mistakes' ? 'true' : 'false'} @click=${() => (this.listing = 'mistakes')}>
              Misclassified (${outcome.mistakeCount.toLocaleString('en-US')}${outcome.mistakeCount > outcome.mistakes.length ? `, the first ${outcome.mistakes.length} shown` : ''})</button>`
          : nothing}
      </div>
      <div class="table-wrap">
      <table class="preview">
        <thead>
          <tr>
            <th class="num">#</th>
            <th style="width:55%">Text</th>
            ${labels ? html`<th>Label</th>` : nothing}
            <th>SNN</th>
            <th>ANN</th>
            <th><span class="sr">Open</span></th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) => html`<tr>
              <td class="num muted">${row.row ?? ''}</td>
              <td title=${row.text}>${row.text}</td>
              ${labels ? html`<td>${this.labelName(row.label)}</td>` : nothing}
              <td style="color:${classColour(row.predicted)}">${this.classes[row.predicted]}</td>
              <td>${row.annPredicted === null ? '—' : this.classes[row.annPredicted]}</td>
              <td><button type="button" class="inspect" @click=${() => this.inspect(row.text)} aria-label="Open row ${row.row ?? ''} in the inspector">Inspect</button></td>
            </tr>`,
          )}
        </tbody>
      </table>
      </div>
      ${showing === 'mistakes' && rows.length === 0 ? html`<p class="small muted">No labelled text was misclassified.</p>` : nothing}
    `;
  }

  override render() {
    const progress = this.progress;
    return html`
      <div
        class="drop ${this.dragOver ? 'over' : ''}"
        @dragover=${(event: DragEvent) => {
          event.preventDefault();
          this.dragOver = true;
        }}
        @dragleave=${() => (this.dragOver = false)}
        @drop=${this.onDrop}
      >
        <p><b>Drop a text file here</b> or</p>
        <label class="sr" for="file">Batch file</label>
        <input id="file" class="sr" type="file" accept=".txt,.tsv,.csv,text/plain,text/csv,text/tab-separated-values" @change=${(event: Event) => {
          const file = (event.target as HTMLInputElement).files?.[0];
          if (file) void this.readFile(file);
        }} />
        <button type="button" @click=${() => (this.renderRoot.querySelector('#file') as HTMLInputElement).click()}>Choose a file…</button>
        <p class="small muted" style="margin:8px 0 0">One text per line; TSV / CSV with a label column (<code>label⇥text</code>, with or without a header); or SST's label-first lines (<code>1 a gorgeous film</code>). Labels may be class names or their numbers (0, 1, …). ${BATCH_LIMITS} Nothing leaves this page.</p>
      </div>
      ${this.renderFile()}
      ${this.running && progress
        ? html`<div class="row" role="group" aria-label="Batch progress">
            <progress max=${progress.total} .value=${progress.done} aria-label="Texts classified"></progress>
            <span class="num small">${progress.done.toLocaleString('en-US')} / ${progress.total.toLocaleString('en-US')}</span>
            <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('batch-cancel', { bubbles: true, composed: true }))}>Cancel</button>
          </div>`
        : nothing}
      ${this.runMessage ? html`<p class="message warn" role="status">${this.runMessage}</p>` : nothing}
      ${this.outcome && !this.running ? this.renderResults(this.outcome) : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-batch': SnnBatch;
  }
}
