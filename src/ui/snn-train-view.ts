import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { EpochRecord } from '../train/run';
import { defaultUserSettings, formatDuration, USER_SETTING_LIMITS, type UserMethod, type UserTable, type UserTrainSettings } from '../train/user-settings';
import { MAX_TRAINING_FILE_BYTES } from '../train/user-data';
import { isCancelled, userMessage, type UserMessage } from '../worker/client';
import type { StoredModelInfo } from '../worker/model-store';
import { LOCAL_MODEL_PREFIX } from '../worker/model-store';
import type { InterruptedRun, TablePreview, TrainEvent, TrainingPreview, TrainOutcome } from '../worker/train-api';
import { TrainClient } from '../worker/train-client';
import type { CurvePoint } from './snn-train-curves';
import { baseStyles, CLASS_COLOURS, dropStyles } from './theme';
import './snn-problem';
import './snn-train-curves';

/** Where a run stands, as the view shows it. */
interface RunState {
  runId: string | null;
  phase: string;
  backend: string;
  epochs: number;
  epoch: number;
  batch: number;
  batches: number;
  examplesPerSecond: number;
  secondsLeft: number;
  paused: boolean;
  points: CurvePoint[];
  history: EpochRecord[];
}

/** Unknown words above this share: the texts are probably not in the table's language. */
const UNKNOWN_WARNING = 0.3;

/**
 * The Train view: a person brings labelled texts (one file with labels, or one file per class),
 * sees its classes and examples and how much of it the table knows, picks a method and a few knobs,
 * and trains in a worker (`TrainClient`) with live curves, pause and cancel. The finished model is
 * kept in the page (IndexedDB), joins the model menu (`local-models-change`), opens in the
 * classify view (`use-model`) and downloads as a zip of its folder.
 */
@customElement('snn-train-view')
export class SnnTrainView extends LitElement {
  static override styles = [
    baseStyles,
    dropStyles,
    css`
      :host {
        display: block;
      }
      :host([hidden]) {
        display: none;
      }
      h3 {
        font-size: 14px;
        margin: 18px 0 8px;
      }
      h3:first-child {
        margin-top: 0;
      }
      .classes {
        display: grid;
        grid-template-columns: minmax(0, max-content) 1fr auto;
        gap: 4px 10px;
        align-items: center;
        font-size: 13px;
        margin: 8px 0;
      }
      .bar {
        height: 8px;
        border-radius: 4px;
      }
      .examples {
        list-style: none;
        padding: 0;
        margin: 6px 0;
        font-size: 12.5px;
      }
      .examples li {
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
        padding: 2px 0;
        border-bottom: 1px solid var(--snn-border);
      }
      .tag {
        display: inline-block;
        min-width: 3em;
        font-weight: 600;
        margin-right: 6px;
      }
      .knobs {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
        gap: 8px 12px;
      }
      .knobs label,
      .choice label {
        display: flex;
        flex-direction: column;
        gap: 3px;
        font-size: 12.5px;
        color: var(--snn-muted);
      }
      .knobs input,
      .knobs select,
      .choice select {
        font-size: 14px;
      }
      .choice {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
        gap: 8px 12px;
      }
      .row {
        display: flex;
        gap: 10px;
        align-items: center;
        flex-wrap: wrap;
        margin: 10px 0;
      }
      progress {
        flex: 1;
        min-width: 140px;
        height: 10px;
        accent-color: var(--snn-accent);
      }
      .stats {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(130px, 1fr));
        gap: 8px;
        margin: 10px 0;
      }
      .stat {
        border: 1px solid var(--snn-border);
        border-radius: var(--snn-radius);
        padding: 8px 10px;
      }
      .stat b {
        display: block;
        font-size: 18px;
      }
      .stat span {
        font-size: 12px;
        color: var(--snn-muted);
      }
      table.models {
        width: 100%;
        border-collapse: collapse;
        font-size: 13px;
      }
      table.models td,
      table.models th {
        text-align: left;
        padding: 4px 6px;
        border-bottom: 1px solid var(--snn-border);
      }
      .actions {
        display: flex;
        gap: 6px;
        flex-wrap: wrap;
      }
      details.card pre {
        white-space: pre-wrap;
        font-size: 12px;
        max-height: 320px;
        overflow: auto;
      }
    `,
  ];

  /** Absolute URL of the shipped English model whose GloVe words an English model trains with. */
  @property() englishModelUrl: string | null = null;

  @state() private preview: TrainingPreview | null = null;
  @state() private tablePreview: TablePreview | null = null;
  @state() private reading = false;
  @state() private problem: UserMessage | null = null;
  @state() private settings: UserTrainSettings = { ...defaultUserSettings('su-bif', 'glove'), name: '' };
  @state() private run: RunState | null = null;
  @state() private outcome: TrainOutcome | null = null;
  /** The finished run's running points, so its curves stay drawn with the result. */
  private outcomePoints: CurvePoint[] = [];
  @state() private models: StoredModelInfo[] = [];
  @state() private interrupted: InterruptedRun[] = [];
  @state() private dragOver = false;
  @state() private note: string | null = null;
  private files: File[] = [];
  private client: TrainClient | null = null;
  private previewId = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refreshStored();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A run goes on in its worker only while the view is open; the checkpoint of its last epoch stays.
    if (!this.run) {
      this.client?.dispose();
      this.client = null;
    }
  }

  private trainClient(): TrainClient {
    this.client ??= new TrainClient();
    return this.client;
  }

  private async refreshStored(): Promise<void> {
    try {
      const client = this.trainClient();
      [this.models, this.interrupted] = await Promise.all([client.listModels(), client.interruptedRuns()]);
      this.dispatchEvent(new CustomEvent<StoredModelInfo[]>('local-models-change', { detail: this.models, bubbles: true, composed: true }));
    } catch (error) {
      this.note = userMessage(error).detail;
    }
  }

  private async readFiles(files: File[]): Promise<void> {
    if (files.length === 0) return;
    const large = files.find((file) => file.size > MAX_TRAINING_FILE_BYTES);
    this.problem = null;
    this.outcome = null;
    if (large) {
      this.problem = { kind: 'input', title: 'Check the input', detail: `"${large.name}" is ${(large.size / 1e6).toFixed(1)} MB; the limit is ${MAX_TRAINING_FILE_BYTES / 1e6} MB per training file (about 400,000 sentences): train on a part of it`, retry: false };
      return;
    }
    this.files = files;
    this.reading = true;
    this.preview = null;
    this.tablePreview = null;
    try {
      const preview = await this.trainClient().readFiles(files);
      this.acceptPreview(preview);
    } catch (error) {
      this.problem = userMessage(error);
    } finally {
      this.reading = false;
    }
  }

  private acceptPreview(preview: TrainingPreview): void {
    this.preview = preview;
    const stem = preview.files[0].replace(/\.[a-z]+$/i, '');
    this.settings = { ...this.settings, ...defaultUserSettings(this.settings.method, preview.suggestedTable), name: this.settings.name || `${preview.files.length > 1 ? preview.classes.join(' vs ') : stem} classifier` };
    void this.previewTable();
  }

  private async chooseColumns(text: number, label: number): Promise<void> {
    this.problem = null;
    this.reading = true;
    try {
      this.acceptPreview(await this.trainClient().readFiles(this.files, { text, label }));
    } catch (error) {
      this.problem = userMessage(error);
    } finally {
      this.reading = false;
    }
  }

  private async previewTable(): Promise<void> {
    const id = ++this.previewId;
    if (!this.preview) return;
    if (this.settings.table === 'glove' && !this.englishModelUrl) {
      this.problem = { kind: 'input', title: 'No English table', detail: 'This site ships no English model, so there are no GloVe words to train with: choose the learned character table.', retry: false };
      return;
    }
    try {
      const preview = await this.trainClient().previewTable(this.settings.table, this.settings.devFraction, this.settings.seed, this.englishModelUrl ?? '');
      if (id === this.previewId) this.tablePreview = preview;
    } catch (error) {
      if (id === this.previewId) this.problem = userMessage(error);
    }
  }

  private set<K extends keyof UserTrainSettings>(key: K, value: UserTrainSettings[K]): void {
    this.settings = { ...this.settings, [key]: value };
    if (key === 'table' || key === 'devFraction' || key === 'seed') {
      this.tablePreview = null;
      void this.previewTable();
    }
  }

  private setMethod(method: UserMethod): void {
    const defaults = defaultUserSettings(method, this.settings.table);
    this.settings = { ...this.settings, method, numSteps: defaults.numSteps };
  }

  private setTable(table: UserTable): void {
    this.settings = { ...this.settings, levels: defaultUserSettings(this.settings.method, table).levels };
    this.set('table', table);
  }

  private onEvent = (event: TrainEvent): void => {
    const run = this.run;
    if (!run) return;
    switch (event.kind) {
      case 'started':
        this.run = { ...run, runId: event.runId, backend: event.backend, batches: event.batches, phase: event.resumedAfter > 0 ? `Resumed after epoch ${event.resumedAfter}` : 'Training the ANN' };
        break;
      case 'batch': {
        const p = event.progress;
        const at = p.epoch - 1 + p.batch / p.batches;
        // At most one point per 1/200 of the run: the curve stays light for long runs.
        const last = run.points[run.points.length - 1];
        const points = last && at - last.at < run.epochs / 200 && p.batch !== p.batches ? run.points : [...run.points, { at, loss: p.loss, trainAccuracy: p.trainAccuracy }];
        this.run = { ...run, epoch: p.epoch, batch: p.batch, batches: p.batches, examplesPerSecond: p.examplesPerSecond, secondsLeft: p.secondsLeft, points };
        break;
      }
      case 'epoch':
        this.run = { ...run, history: event.history };
        break;
      case 'phase':
        this.run = { ...run, phase: event.text };
        break;
    }
  };

  private async train(resume?: InterruptedRun): Promise<void> {
    const client = this.trainClient();
    this.problem = null;
    this.outcome = null;
    const epochs = resume ? resume.epochs : this.settings.epochs;
    this.run = { runId: resume?.id ?? null, phase: 'Starting…', backend: '', epochs, epoch: resume ? resume.epochsDone : 0, batch: 0, batches: 0, examplesPerSecond: 0, secondsLeft: NaN, paused: false, points: [], history: resume?.history ?? [] };
    try {
      const settings = { ...this.settings, name: this.settings.name.trim() || 'My classifier' };
      this.outcome = resume ? await client.resumeRun(resume.id, this.onEvent) : await client.train(settings, this.englishModelUrl ?? '', this.onEvent);
      this.dispatchEvent(new CustomEvent('training-done', { detail: this.outcome, bubbles: true, composed: true }));
    } catch (error) {
      this.problem = isCancelled(error) ? { kind: 'cancelled', title: 'Training cancelled', detail: 'Nothing was kept of that run.', retry: false } : userMessage(error);
    } finally {
      this.outcomePoints = this.run?.points ?? [];
      this.run = null;
      await this.refreshStored();
    }
  }

  private async togglePause(): Promise<void> {
    if (!this.run || !this.client) return;
    const paused = !this.run.paused;
    this.run = { ...this.run, paused };
    await (paused ? this.client.pause() : this.client.unpause());
  }

  private async download(id: string): Promise<void> {
    try {
      const { bytes, fileName } = await this.trainClient().modelZip(id);
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/zip' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.problem = userMessage(error);
    }
  }

  private use(id: string): void {
    this.dispatchEvent(new CustomEvent<string>('use-model', { detail: `${LOCAL_MODEL_PREFIX}${id}`, bubbles: true, composed: true }));
  }

  private async deleteStored(id: string): Promise<void> {
    await this.trainClient().deleteModel(id);
    if (this.outcome?.info.id === id) this.outcome = null;
    await this.refreshStored();
  }

  private async discard(id: string): Promise<void> {
    await this.trainClient().discardRun(id);
    await this.refreshStored();
  }

  private onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragOver = false;
    void this.readFiles([...(event.dataTransfer?.files ?? [])]);
  }

  private renderInterrupted() {
    if (this.interrupted.length === 0 || this.run) return nothing;
    return html`${this.interrupted.map(
      (run) => html`<div class="message warn" role="status" data-testid="interrupted-run">
        Training “${run.name}” stopped after epoch ${run.epochsDone} of ${run.epochs} (the page was closed or reloaded); its finished epochs are kept.
        <div class="actions" style="margin-top:6px">
          <button type="button" @click=${() => this.train(run)}>Resume from epoch ${run.epochsDone + 1}</button>
          <button type="button" @click=${() => this.discard(run.id)}>Discard</button>
        </div>
      </div>`,
    )}`;
  }

  private renderFile() {
    const preview = this.preview;
    if (!preview) return nothing;
    const most = Math.max(...preview.counts);
    return html`
      <p class="small" data-testid="train-file-summary"><b>${preview.files.join(', ')}</b>: ${preview.total.toLocaleString('en-US')} texts, ${preview.layout}, ${preview.classes.length} classes.</p>
      ${preview.header
        ? html`<div class="choice">
            <label>Text column
              <select @change=${(event: Event) => this.chooseColumns(Number((event.target as HTMLSelectElement).value), preview.header!.chosen.label)}>
                ${preview.header.fields.map((field, i) => html`<option value=${i} ?selected=${i === preview.header!.chosen.text}>${field || `column ${i + 1}`}</option>`)}
              </select></label>
            <label>Label column
              <select @change=${(event: Event) => this.chooseColumns(preview.header!.chosen.text, Number((event.target as HTMLSelectElement).value))}>
                ${preview.header.fields.map((field, i) => html`<option value=${i} ?selected=${i === preview.header!.chosen.label}>${field || `column ${i + 1}`}</option>`)}
              </select></label>
          </div>`
        : nothing}
      <div class="classes" role="table" aria-label="Texts per class">
        ${preview.classes.map(
          (name, k) => html`<span role="cell"><b>${name}</b></span>
            <span role="cell"><div class="bar" style="width:${(100 * preview.counts[k]) / most}%;background:${CLASS_COLOURS[k % CLASS_COLOURS.length]}"></div></span>
            <span role="cell" class="num">${preview.counts[k].toLocaleString('en-US')}</span>`,
        )}
      </div>
      <ul class="examples" aria-label="Examples">
        ${preview.examples.map((example) => html`<li title=${example.text}><span class="tag">${example.label}</span>${example.text}</li>`)}
      </ul>
    `;
  }

  private renderSettings() {
    if (!this.preview) return nothing;
    const s = this.settings;
    const table = this.tablePreview;
    const limits = USER_SETTING_LIMITS;
    const number = (key: 'epochs' | 'levels' | 'numSteps' | 'learningRate' | 'devFraction' | 'seed', label: string, step: string, min: number, max: number) =>
      html`<label>${label}<input type="number" step=${step} min=${min} max=${max} .value=${String(s[key])} data-testid="knob-${key}"
        @change=${(event: Event) => {
          const value = Number((event.target as HTMLInputElement).value);
          if (Number.isFinite(value) && value >= min && value <= max) this.set(key, value);
          else (event.target as HTMLInputElement).value = String(s[key]);
        }} /></label>`;
    return html`
      <h3>2. What to train</h3>
      <div class="choice">
        <label>Method
          <select data-testid="train-method" @change=${(event: Event) => this.setMethod((event.target as HTMLSelectElement).value as UserMethod)}>
            <option value="su-bif" ?selected=${s.method === 'su-bif'}>Lossless BIF TextCNN (Su et al.)</option>
            <option value="lv-if" ?selected=${s.method === 'lv-if'}>IF TextCNN, converted (Lv et al.)</option>
          </select>
          <span class="small muted">${s.method === 'su-bif'
            ? 'A quantised ANN becomes bipolar integrate-and-fire neurons that spike exactly its values: the SNN predicts what its ANN twin predicts.'
            : 'A ReLU ANN becomes integrate-and-fire neurons with balanced thresholds, fed rate-coded spikes: close to its ANN as T grows, cheaper at small T.'}</span></label>
        <label>Input table
          <select data-testid="train-table" @change=${(event: Event) => this.setTable((event.target as HTMLSelectElement).value as UserTable)}>
            <option value="glove" ?selected=${s.table === 'glove'} ?disabled=${!this.englishModelUrl}>English words (GloVe, 65k)</option>
            <option value="characters" ?selected=${s.table === 'characters'}>Learned with the model</option>
          </select>
          <span class="small muted">${s.table === 'glove'
            ? 'The 100-d GloVe vectors of the shipped default model, frozen.'
            : 'A 64-d table learned with the model, of the characters (Chinese, Japanese) or words (other languages) seen at least twice.'}</span></label>
      </div>
      ${table
        ? html`<p class="small ${table.table === 'glove' && table.unknown.share > UNKNOWN_WARNING ? 'message warn' : 'muted'}" data-testid="unknown-share">
            ${table.table === 'glove'
              ? html`${(100 * table.unknown.share).toFixed(1)} % of the words are not in the GloVe table${table.unknown.top.length ? html` (most often: ${table.unknown.top.slice(0, 6).map((entry) => entry.token).join(', ')})` : nothing}: they reach the network as silence.
                  ${table.unknown.share > UNKNOWN_WARNING ? html`<b>These texts look like another language than the table’s English: choose the learned character table.</b>` : nothing}`
              : html`A table of ${table.vocabulary.toLocaleString('en-US')} tokens (characters or words seen at least twice) is learned; ${(100 * table.unknown.share).toFixed(1)} % of the training tokens are rarer and read as silence.`}
            ${table.train.toLocaleString('en-US')} texts to train on, ${table.dev.toLocaleString('en-US')} held out for dev.
          </p>`
        : html`<p class="small muted">Looking the words up…</p>`}
      <div class="knobs">
        ${number('epochs', 'Epochs', '1', limits.epochs[0], limits.epochs[1])}
        ${s.method === 'su-bif' ? number('levels', 'Levels', '1', limits.levels[0], limits.levels[1]) : nothing}
        ${number('numSteps', 'Time steps T', '1', limits.numSteps[0], limits.numSteps[1])}
        ${number('learningRate', 'Learning rate', '0.0005', limits.learningRate[0], limits.learningRate[1])}
        ${number('devFraction', 'Dev share', '0.01', limits.devFraction[0], limits.devFraction[1])}
        ${number('seed', 'Seed', '1', 0, 0xffffffff)}
        <label>Name<input type="text" maxlength="80" .value=${s.name} data-testid="train-name" @input=${(event: Event) => (this.settings = { ...this.settings, name: (event.target as HTMLInputElement).value })} /></label>
      </div>
      <div class="row">
        <button type="button" class="primary" data-testid="train-start" ?disabled=${!!this.run || this.reading || !table} @click=${() => this.train()}>Train</button>
        <span class="small muted">Runs in a worker on this computer${s.table === 'glove' ? '; the GloVe words come from the default model, nothing is downloaded from elsewhere' : ''}.</span>
      </div>
    `;
  }

  private renderRun() {
    const run = this.run;
    if (!run) return nothing;
    const done = run.epochs > 0 ? (run.epoch - 1 + (run.batches ? run.batch / run.batches : 0)) / run.epochs : 0;
    return html`
      <h3>3. Training</h3>
      <p class="small" role="status" data-testid="train-phase">${run.phase}${run.backend ? html` on <b>${run.backend}</b>` : nothing}${run.paused ? ' (paused)' : ''}</p>
      <div class="row" role="group" aria-label="Training progress">
        <progress max="1" .value=${Math.max(0, done)} aria-label="Training progress"></progress>
        <button type="button" data-testid="train-pause" @click=${this.togglePause}>${run.paused ? 'Resume' : 'Pause'}</button>
        <button type="button" data-testid="train-cancel" @click=${() => this.client?.cancel()}>Cancel</button>
      </div>
      <div class="stats">
        <div class="stat"><b data-testid="train-epoch">${Math.max(1, run.epoch)} / ${run.epochs}</b><span>epoch (batch ${run.batch} of ${run.batches || '…'})</span></div>
        <div class="stat"><b>${run.examplesPerSecond ? Math.round(run.examplesPerSecond).toLocaleString('en-US') : '…'}</b><span>texts per second</span></div>
        <div class="stat"><b>${Number.isFinite(run.secondsLeft) ? formatDuration(run.secondsLeft) : '…'}</b><span>left, about</span></div>
        <div class="stat"><b>${run.history.length ? `${(100 * Math.max(...run.history.map((r) => r.devAccuracy))).toFixed(1)} %` : '…'}</b><span>best dev accuracy (ANN)</span></div>
      </div>
      <snn-train-curves .points=${run.points} .history=${run.history} .epochs=${run.epochs}></snn-train-curves>
    `;
  }

  private renderOutcome() {
    const outcome = this.outcome;
    if (!outcome || this.run) return nothing;
    const { info } = outcome;
    return html`
      <h3>3. Your model</h3>
      <div class="message good" role="status" data-testid="train-result">
        <b>${info.name}</b> is ready. On the dev texts its spiking network scores
        <b data-testid="train-snn-accuracy">${(100 * info.devAccuracy).toFixed(1)} %</b> at T = ${outcome.numSteps}, against <b>${(100 * info.annDevAccuracy).toFixed(1)} %</b> for its ANN twin
        (epoch ${outcome.bestEpoch} of ${outcome.history.length} kept; ${outcome.secondsPerEpoch.toFixed(1)} s per epoch on ${outcome.backend}).
      </div>
      <snn-train-curves .points=${this.outcomePoints} .history=${outcome.history} .epochs=${outcome.history.length}></snn-train-curves>
      <div class="row">
        <button type="button" class="primary" data-testid="train-use" @click=${() => this.use(info.id)}>Classify with it</button>
        <button type="button" data-testid="train-download" @click=${() => this.download(info.id)}>Download as a zip</button>
        <span class="small muted">The zip is a model folder: <code>spikescope classify --model ${'<'}file${'>'}.zip</code> runs it. ${this.settings.method === 'lv-if' ? 'Open it, then NIR graphs → Export .nir for other simulators.' : 'BIF neurons (negative spikes) have no NIR form.'}</span>
      </div>
      <details class="card"><summary class="small">Its card (README.md in the zip)</summary><pre>${outcome.card}</pre></details>
    `;
  }

  private renderModels() {
    if (this.models.length === 0) return nothing;
    return html`
      <h3>Models trained here</h3>
      <table class="models" data-testid="stored-models">
        <thead><tr><th>name</th><th>dev SNN / ANN %</th><th>made</th><th></th></tr></thead>
        <tbody>
          ${this.models.map(
            (model) => html`<tr>
              <td>${model.name}</td>
              <td class="num">${(100 * model.devAccuracy).toFixed(1)} / ${(100 * model.annDevAccuracy).toFixed(1)}</td>
              <td class="small muted">${model.createdAt.slice(0, 16).replace('T', ' ')}</td>
              <td><div class="actions">
                <button type="button" @click=${() => this.use(model.id)}>Classify</button>
                <button type="button" @click=${() => this.download(model.id)}>Zip</button>
                <button type="button" @click=${() => this.deleteStored(model.id)} aria-label="Delete ${model.name}">Delete</button>
              </div></td>
            </tr>`,
          )}
        </tbody>
      </table>
    `;
  }

  override render() {
    return html`
      ${this.renderInterrupted()}
      <h3>1. Your texts</h3>
      <div class="drop ${this.dragOver ? 'over' : ''}" data-testid="train-drop"
        @dragover=${(event: DragEvent) => {
          event.preventDefault();
          this.dragOver = true;
        }}
        @dragleave=${() => (this.dragOver = false)}
        @drop=${this.onDrop}>
        <p><b>Drop a labelled file here</b> (or one file per class) or</p>
        <label class="sr" for="train-file">Training files</label>
        <input id="train-file" class="sr" type="file" multiple accept=".txt,.tsv,.csv,text/plain,text/csv,text/tab-separated-values"
          @change=${(event: Event) => void this.readFiles([...((event.target as HTMLInputElement).files ?? [])])} />
        <button type="button" ?disabled=${!!this.run} @click=${() => (this.renderRoot.querySelector('#train-file') as HTMLInputElement).click()}>Choose files…</button>
        <p class="small muted" style="margin:8px 0 0">CSV or TSV with a header (pick the text and label columns), SST’s <code>LABEL TEXT</code> lines, or several files of one text per line, each named after its class. Up to ${MAX_TRAINING_FILE_BYTES / 1e6} MB per file. Nothing leaves this page.</p>
      </div>
      ${this.reading ? html`<p class="small muted" role="status">Reading…</p>` : nothing}
      <snn-problem .problem=${this.problem} test-id="train-error"></snn-problem>
      ${this.note ? html`<p class="small muted">${this.note}</p>` : nothing}
      ${this.renderFile()}
      ${this.run ? nothing : this.renderSettings()}
      ${this.renderRun()}
      ${this.renderOutcome()}
      ${this.renderModels()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-train-view': SnnTrainView;
  }
}
