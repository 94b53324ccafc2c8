import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { BatchFileError, decodeTextFile, parseBatchText, type BatchFile } from './batch-file';
import { batchCsv, summarizeBatch, type BatchRow } from './batch-summary';
import { formatPercent } from './energy-view';
import { baseStyles, classColour, figureStyles } from './theme';
import './snn-confusion';

/** Detail of `batch-run`. */
export interface BatchRequest {
  texts: string[];
  labels: (string | null)[] | null;
}

const FORMAT_NAMES: Record<BatchFile['format'], string> = { lines: 'one text per line', tsv: 'TSV', csv: 'CSV' };

/**
 * Batch classification: drop or pick a text file (one text per line, or TSV / CSV with a label
 * column), run it (`batch-run`) with a progress bar and a cancel button (`batch-cancel`), then see
 * accuracy and a confusion matrix when the file has labels, and export the results as CSV.
 */
@customElement('snn-batch')
export class SnnBatch extends LitElement {
  static override styles = [
    baseStyles,
    figureStyles,
    css`
      .drop {
        border: 2px dashed var(--snn-border-strong);
        border-radius: var(--snn-radius);
        padding: 22px 16px;
        text-align: center;
        background: #fafbfc;
      }
      .drop.over {
        border-color: var(--snn-accent);
        background: var(--snn-accent-soft);
      }
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
      @media (max-width: 560px) {
        .scores {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  @property({ attribute: false }) classes: readonly string[] = [];
  @property({ type: Boolean }) running = false;
  @property({ attribute: false }) progress: { done: number; total: number } | null = null;
  /** Results of the last finished run, one row per text. */
  @property({ attribute: false }) rows: BatchRow[] | null = null;
  /** A run failed or was cancelled. */
  @property() runMessage: string | null = null;
  @state() private file: { name: string; parsed: BatchFile } | null = null;
  @state() private fileError: string | null = null;
  @state() private dragOver = false;

  /** Reads a file the person dropped or picked. */
  async readFile(file: File): Promise<void> {
    this.fileError = null;
    this.file = null;
    try {
      const text = decodeTextFile(new Uint8Array(await file.arrayBuffer()), file.name);
      this.file = { name: file.name, parsed: parseBatchText(text, file.name) };
    } catch (error) {
      this.fileError = error instanceof BatchFileError ? error.message : `"${file.name}" could not be read: ${(error as Error).message}`;
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
    const { texts, labels } = this.file.parsed;
    this.dispatchEvent(new CustomEvent<BatchRequest>('batch-run', { detail: { texts, labels }, bubbles: true, composed: true }));
  }

  private exportCsv(): void {
    if (!this.rows) return;
    const csv = batchCsv(this.rows, this.classes, this.rows.some((row) => row.label !== null));
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${(this.file?.name ?? 'batch').replace(/\.[^.]+$/, '')}-spikescope.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  private renderFile() {
    if (this.fileError) return html`<p class="message error" role="alert" data-testid="batch-file-error">${this.fileError}</p>`;
    if (!this.file) return nothing;
    const { parsed, name } = this.file;
    const distinct = parsed.labels ? [...new Set(parsed.labels.filter((label) => label !== null))] : [];
    return html`<div class="row">
      <span
        ><b>${name}</b> · ${parsed.texts.length.toLocaleString('en-US')} texts · ${FORMAT_NAMES[parsed.format]} ·
        ${parsed.labels ? `labels: ${distinct.slice(0, 6).join(', ')}${distinct.length > 6 ? ', …' : ''}` : 'no labels'}</span
      >
      <button type="button" class="primary" ?disabled=${this.running} @click=${this.run}>Classify ${parsed.texts.length.toLocaleString('en-US')} texts</button>
    </div>`;
  }

  private renderResults(rows: BatchRow[]) {
    const labels = rows.some((row) => row.label !== null) ? rows.map((row) => row.label) : null;
    const summary = summarizeBatch(
      rows.map((row) => row.predicted),
      rows.map((row) => row.annPredicted),
      labels,
      this.classes,
    );
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
      ${summary.accuracy === null && labels === null ? html`<p class="small muted">The file has no labels, so there is no accuracy; the predictions can be exported.</p>` : nothing}
      ${summary.unmatchedLabels.length > 0
        ? html`<p class="message warn">Labels that name no class of this model (${this.classes.join(', ')}) were left out of the accuracy: ${summary.unmatchedLabels.join(', ')}.</p>`
        : nothing}
      ${summary.confusion ? html`<snn-confusion .matrix=${summary.confusion} .classes=${this.classes}></snn-confusion>` : nothing}
      <div class="row">
        <button type="button" @click=${this.exportCsv} data-testid="batch-export">Export results as CSV</button>
        <span class="small muted">${rows.length.toLocaleString('en-US')} rows: text, label, SNN and ANN labels and scores.</span>
      </div>
      <table class="preview">
        <thead>
          <tr>
            <th style="width:60%">Text</th>
            ${labels ? html`<th>Label</th>` : nothing}
            <th>SNN</th>
            <th>ANN</th>
          </tr>
        </thead>
        <tbody>
          ${rows.slice(0, 8).map(
            (row) => html`<tr>
              <td title=${row.text}>${row.text}</td>
              ${labels ? html`<td>${row.label}</td>` : nothing}
              <td style="color:${classColour(row.predicted)}">${this.classes[row.predicted]}</td>
              <td>${row.annPredicted === null ? '—' : this.classes[row.annPredicted]}</td>
            </tr>`,
          )}
        </tbody>
      </table>
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
        <p class="small muted" style="margin:8px 0 0">One text per line, or TSV / CSV with a label column (e.g. <code>label⇥text</code>). Nothing leaves this page.</p>
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
      ${this.rows && !this.running ? this.renderResults(this.rows) : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-batch': SnnBatch;
  }
}
