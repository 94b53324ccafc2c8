import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { BatchResult } from '../engine/types';
import { DEFAULT_ENERGY_SETTINGS, type EnergySettings } from '../model/energy';
import { isSpikingKind } from '../model/spec';
import type { EngineStatus, ModelSummary } from '../worker/api';
import { isCancelled, SpikescopeClient, userMessage, type UserMessage } from '../worker/client';
import { AddressBar } from './address-bar';
import { appStyles } from './app-styles';
import { BatchController } from './batch-controller';
import { parseCardMetrics, type CardMetrics } from './card-metrics';
import { languageMismatch } from './language-check';
import { defaultModelEntry, parseModelIndex, type ModelIndexEntry } from './model-index';
import { checkModelPath } from './model-path';
import { allUnknown, tokenStripData, type TokenStripData } from './result-views';
import { RenderAnnouncer } from './render-announcer';
import { planRecording } from './run-request';
import type { BatchRequest } from './snn-batch';
import type { OptionsChange } from './snn-controls';
import type { NeuronSelection } from './snn-raster';
import { paletteStyles } from './theme';
import { MAX_STEPS, parseUrlState, type EncodingChoice, type UrlState } from './url-state';
import './snn-backend-banner';
import './snn-batch';
import './snn-controls';
import './snn-compare';
import type { Comparison } from './snn-compare';
import './snn-energy';
import './snn-nir-view';
import './snn-problem';
import './snn-result';
import './snn-spikes-view';
import './snn-tabs';
import './snn-text-input';
import './snn-train-view';
import { listModels as listStoredModels, LOCAL_MODEL_PREFIX, type StoredModelInfo } from '../worker/model-store';
import './snn-token-strip';

/** Quiet time after the last keystroke before a text is sent (latest wins anyway). */
const TYPING_DEBOUNCE_MS = 150;
type View = 'spikes' | 'energy' | 'batch' | 'nir' | 'train';
const VIEWS: { id: View; label: string }[] = [
  { id: 'spikes', label: 'Spikes' },
  { id: 'energy', label: 'Energy' },
  { id: 'batch', label: 'Batch' },
  { id: 'nir', label: 'NIR graphs' },
  { id: 'train', label: 'Train' },
];

/** Said when the build ships no model and the URL names none. */
const NO_MODEL: UserMessage = {
  kind: 'model',
  title: 'No model to run',
  detail: 'This build ships no model: models/index.json lists none. Add one there, or open a model folder with ?model=models/<folder>.',
  retry: false,
};

/**
 * The application: owns the engine client and the state (model, text, run options, last result),
 * passes it down to the panels and reacts to their events. Typing is debounced and every request
 * supersedes the previous one, so the label always belongs to the latest text.
 * Fires `result-rendered` when a new result is on screen (see `render-announcer.ts`).
 */
@customElement('snn-app')
export class SnnApp extends LitElement {
  static override styles = [paletteStyles, appStyles];

  @state() private models: ModelIndexEntry[] = [];
  /** Models trained in this page (kept in its storage), listed after the shipped ones. */
  @state() private localModels: ModelIndexEntry[] = [];
  /** The Train view stays in the page once opened, so a run keeps its progress while other views are shown. */
  @state() private trainOpened = false;
  @state() private modelPath: string | null = null;
  @state() private summary: ModelSummary | null = null;
  @state() private modelLoading = false;
  @state() private modelProblem: UserMessage | null = null;
  @state() private text = '';
  @state() private numSteps = 16;
  @state() private encoding: EncodingChoice = 'rate';
  @state() private seed = 1;
  @state() private result: BatchResult | null = null;
  @state() private computing = false;
  /** A long text's progress through its chunks of positions, while it runs. */
  @state() private chunks: { done: number; total: number } | null = null;
  @state() private problem: UserMessage | null = null;
  @state() private status: EngineStatus | null = null;
  @state() private selection: NeuronSelection | null = null;
  @state() private trainsNote: string | null = null;
  @state() private energySettings: EnergySettings = { ...DEFAULT_ENERGY_SETTINGS };
  @state() private view: View = 'spikes';
  @state() private toast: string | null = null;
  /** Results side by side (other T, or a contrast pair); see `snn-compare`. */
  @state() private comparison: Comparison | null = null;
  private compareId = 0;
  /** The word pointed at, in the word strip or the raster: both mark it. */
  @state() private pointedWord: number | null = null;
  private readonly batch = new BatchController(this);
  private readonly addressBar = new AddressBar();
  private readonly announcer = new RenderAnnouncer(this);
  private strip: TokenStripData | null = null;
  private card: CardMetrics | null = null;
  private client: SpikescopeClient | null = null;
  private url: UrlState = parseUrlState('');
  private requestId = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.url = parseUrlState(location.search);
    this.text = this.url.text;
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client?.dispose();
    this.client = null;
  }

  /** Starts the worker, reads the model list and loads the model the URL or the list names. */
  private async start(): Promise<void> {
    const client = new SpikescopeClient();
    this.client = client;
    try {
      if (this.url.backend !== 'auto') await client.configure(this.url.backend);
      client.status().then((status) => (this.status = status), (error) => (this.problem = userMessage(error)));
    } catch (error) {
      this.problem = userMessage(error);
    }
    try {
      const response = await fetch('models/index.json');
      if (!response.ok) throw Object.assign(new Error(`models/index.json could not be fetched (HTTP ${response.status}).`), { name: 'ModelIndexError' });
      this.models = parseModelIndex(await response.json());
    } catch (error) {
      this.models = [];
      if (!this.url.model) this.modelProblem = userMessage(error);
    }
    await this.readLocalModels();
    if (this.url.model) {
      // A link may open only this site's models (see model-path.ts); anything else is refused, not fetched.
      try {
        await this.loadModel(checkModelPath(this.url.model, document.baseURI, this.allModels()), this.url);
      } catch (error) {
        this.modelProblem = userMessage(error);
      }
      return;
    }
    const path = defaultModelEntry(this.models)?.path ?? null;
    if (path) await this.loadModel(path, this.url);
  }

  /** The shipped models and those trained here. */
  private allModels(): ModelIndexEntry[] {
    return [...this.models, ...this.localModels];
  }

  /** The models trained in this page, for the model menu (none where the browser keeps no data). */
  private async readLocalModels(): Promise<void> {
    try {
      this.setLocalModels(await listStoredModels());
    } catch {
      this.localModels = [];
    }
  }

  private setLocalModels(models: readonly StoredModelInfo[]): void {
    this.localModels = models.map((model) => ({ id: model.id, path: `${LOCAL_MODEL_PREFIX}${model.id}`, name: `${model.name} (trained here)`, language: model.language }));
  }

  /** The shipped English model whose GloVe words the Train view trains with (absolute URL), or null. */
  private englishModelUrl(): string | null {
    const english = this.models.filter((entry) => entry.language === 'en');
    const entry = english.find((candidate) => candidate.default) ?? english[0];
    return entry ? new URL(entry.path, document.baseURI).href : null;
  }

  private async loadModel(path: string, overrides: Partial<UrlState> = {}): Promise<void> {
    if (!this.client) return;
    this.modelLoading = true;
    this.modelProblem = null;
    this.modelPath = path;
    this.requestId++;
    this.result = null;
    this.selection = null;
    this.comparison = null;
    this.compareId++;
    try {
      const summary = await this.client.loadModel(path);
      this.summary = summary;
      this.card = parseCardMetrics(summary.metrics);
      this.numSteps = overrides.numSteps ?? summary.numSteps;
      this.encoding = overrides.encoding ?? summary.defaultEncoding;
      this.seed = overrides.seed ?? summary.seed;
      this.syncUrl();
      void this.classifyNow();
    } catch (error) {
      this.summary = null;
      this.modelProblem = userMessage(error);
    } finally {
      this.modelLoading = false;
    }
  }

  /** Sends the current text; a newer request supersedes this one. */
  private async classifyNow(): Promise<void> {
    clearTimeout(this.typingTimer);
    const { summary, client, text } = this;
    if (!summary || !client) return;
    const id = ++this.requestId;
    this.problem = null;
    if (text === '') {
      this.result = null;
      this.computing = false;
      return;
    }
    // A model trained here learned its own texts' script: the Train view reported its unknown words.
    const mismatch = this.modelPath?.startsWith(LOCAL_MODEL_PREFIX) ? null : languageMismatch(text, summary.language);
    if (mismatch) {
      this.result = null;
      this.computing = false;
      this.problem = { kind: 'input', title: 'Another language?', detail: mismatch, retry: false };
      return;
    }
    const plan = planRecording(summary, text, this.numSteps, this.selection);
    this.computing = true;
    this.chunks = null;
    try {
      const onChunk = (done: number, total: number) => {
        if (id === this.requestId) this.chunks = { done, total };
      };
      const result = await client.classify(text, { numSteps: this.numSteps, encoding: this.encoding, seed: this.seed, record: plan.record }, onChunk);
      if (id !== this.requestId) return;
      this.trainsNote = plan.trainsNote;
      this.result = result;
      this.dataset.resultText = text.slice(0, 200);
      void this.announcer.expect(text, result.timings);
      this.status = { backend: result.backend, detail: result.backendDetail, hasTimestamps: this.status?.hasTimestamps ?? result.timings.gpuMs !== undefined };
      const train = result.samples[0].spikeTrains?.find((entry) => entry.layer === this.selection?.layer);
      if (this.selection && train && this.selection.neuron >= train.positions * train.channels) this.selection = null;
    } catch (error) {
      if (isCancelled(error) || id !== this.requestId) return;
      this.problem = userMessage(error);
      if (this.problem.kind === 'device-lost') this.status = null;
    } finally {
      if (id === this.requestId) {
        this.computing = false;
        this.chunks = null;
      }
    }
  }

  protected override willUpdate(changed: PropertyValues): void {
    if ((changed.has('result') || changed.has('summary')) && this.result && this.summary) this.strip = tokenStripData(this.result.samples[0], this.summary);
    if (!this.result) this.strip = null;
  }

  private onText(event: CustomEvent<string>): void {
    this.text = event.detail;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => void this.classifyNow(), TYPING_DEBOUNCE_MS);
    this.syncUrl();
  }

  private onOptions(event: CustomEvent<OptionsChange>): void {
    const { numSteps, encoding, seed } = event.detail;
    if (numSteps !== undefined) this.numSteps = numSteps;
    if (encoding !== undefined) this.encoding = encoding;
    if (seed !== undefined) this.seed = seed;
    this.syncUrl();
    void this.classifyNow();
  }

  private onNeuronSelect(event: CustomEvent<NeuronSelection>): void {
    this.selection = event.detail;
    // The input has no membrane; every spiking layer's neuron gets its trace recorded by a re-run.
    const spiking = this.summary?.layers.some((layer) => layer.name === event.detail.layer && isSpikingKind(layer.kind));
    if (spiking) void this.classifyNow();
  }

  private onBatchRun(event: CustomEvent<BatchRequest>): void {
    if (!this.client) return;
    void this.batch.run(this.client, event.detail.total, { numSteps: this.numSteps, encoding: this.encoding, seed: this.seed });
  }

  /** Runs `runs` one after another (each a request of its own) and shows them side by side. */
  private async runComparison(title: string, runs: { what: string; text: string; numSteps: number }[]): Promise<void> {
    const client = this.client;
    if (!client || !this.summary) return;
    const id = ++this.compareId;
    const rows: Comparison['rows'] = runs.map((run) => ({ what: run.what, result: null }));
    this.comparison = { title, rows, pending: true };
    for (let i = 0; i < runs.length; i++) {
      try {
        const result = await client.classify(runs[i].text, { numSteps: runs[i].numSteps, encoding: this.encoding, seed: this.seed });
        if (id !== this.compareId) return;
        rows[i] = { ...rows[i], result: result.samples[0] };
        this.comparison = { title, rows: [...rows], pending: i < runs.length - 1 };
      } catch (error) {
        if (id !== this.compareId) return;
        this.comparison = { title: isCancelled(error) ? `${title}: stopped by a newer request` : `${title}: ${userMessage(error).detail}`, rows: [...rows], pending: false };
        return;
      }
    }
  }

  private compareSteps(): void {
    const T = this.numSteps;
    const values = [...new Set([Math.max(1, Math.round(T / 4)), Math.max(1, Math.round(T / 2)), T, Math.min(MAX_STEPS, T * 2), Math.min(MAX_STEPS, T * 4)])].sort((a, b) => a - b);
    void this.runComparison(`“${this.text.slice(0, 60)}${this.text.length > 60 ? '…' : ''}” at other T`, values.map((numSteps) => ({ what: `T = ${numSteps}`, text: this.text, numSteps })));
  }

  private comparePair(pair: [string, string]): void {
    void this.runComparison(`What one change does, at T = ${this.numSteps}`, pair.map((text) => ({ what: text, text, numSteps: this.numSteps })));
  }

  /** A batch row opened in the inspector: its text is classified and its spikes shown. */
  private onBatchInspect(event: CustomEvent<string>): void {
    this.text = event.detail;
    this.selection = null;
    this.view = 'spikes';
    this.syncUrl();
    void this.classifyNow();
  }

  private shareable() {
    return { text: this.text, model: this.modelPath, numSteps: this.numSteps, encoding: this.encoding, seed: this.seed, backend: this.url.backend };
  }

  private syncUrl(): void {
    this.addressBar.update(this.shareable());
  }

  private async share(): Promise<void> {
    this.toast = await this.addressBar.share(this.shareable());
    setTimeout(() => (this.toast = null), 3500);
  }

  private renderView() {
    const sample = this.result?.samples[0] ?? null;
    const summary = this.summary;
    switch (this.view) {
      case 'spikes':
        return html`<snn-spikes-view .sample=${sample} .summary=${summary} .selection=${this.selection} .trainsNote=${this.trainsNote} .rasterHeight=${innerWidth < 700 ? 240 : 300}
          .pointedWord=${this.pointedWord} @word-point=${(event: CustomEvent<number | null>) => (this.pointedWord = event.detail)}
          @neuron-select=${this.onNeuronSelect}></snn-spikes-view>`;
      case 'energy':
        return html`<snn-energy .report=${sample?.energy ?? null} .settings=${this.energySettings} .card=${this.card} .numSteps=${this.result?.options.numSteps ?? this.numSteps}
          .modelId=${this.modelPath?.replace(/\/+$/, '').split('/').pop() ?? null}
          .encoding=${this.result?.options.encoding ?? this.encoding} @energy-settings-change=${(event: CustomEvent<EnergySettings>) => (this.energySettings = event.detail)}></snn-energy>`;
      case 'batch':
        return html`<snn-batch .classes=${summary?.classes ?? []} .client=${this.client} .running=${this.batch.state.running} .progress=${this.batch.state.progress}
          .outcome=${this.batch.state.outcome}
          .runMessage=${this.batch.state.message}
          @batch-run=${this.onBatchRun} @batch-cancel=${() => this.client?.cancelBatch()} @batch-inspect=${this.onBatchInspect}></snn-batch>`;
      case 'nir':
        return html`<snn-nir-view .client=${this.client} .modelName=${summary?.name ?? null} ?positional=${!!summary && !summary.layers.some((layer) => layer.kind === 'sequence-neuron')}></snn-nir-view>`;
      case 'train':
        return nothing;
    }
  }

  private showView(view: View): void {
    this.view = view;
    if (view === 'train') this.trainOpened = true;
  }

  private renderTrain() {
    if (!this.trainOpened) return nothing;
    return html`<snn-train-view ?hidden=${this.view !== 'train'} .englishModelUrl=${this.englishModelUrl()}
      @local-models-change=${(event: CustomEvent<StoredModelInfo[]>) => this.setLocalModels(event.detail)}
      @use-model=${(event: CustomEvent<string>) => {
        this.view = 'spikes';
        void this.loadModel(event.detail);
      }}></snn-train-view>`;
  }

  override render() {
    const sample = this.result?.samples[0] ?? null;
    const summary = this.summary;
    return html`
      <header>
        <div class="brand"><span class="brand-name">Spikescope</span><span class="tagline">spiking neural networks for text, in your browser</span></div>
        <button type="button" class="share" @click=${this.share}>Copy link</button>
      </header>
      <snn-backend-banner .status=${this.status} ?forcedCpu=${this.url.backend === 'cpu' || this.url.backend === 'reference'}></snn-backend-banner>
      <div class="progress ${this.computing || this.modelLoading ? 'on' : ''}" aria-hidden="true"></div>
      <main>
        <div class="column">
          <section class="panel" aria-label="Input">
            <snn-controls .models=${this.allModels()} .modelPath=${this.modelPath} .numSteps=${this.numSteps} .encoding=${this.encoding} .seed=${this.seed}
              .modelDefaults=${summary ? { numSteps: summary.numSteps, encoding: summary.defaultEncoding } : null} .inputForm=${summary?.input ?? null}
              @model-change=${(event: CustomEvent<string>) => this.loadModel(event.detail)} @options-change=${this.onOptions}></snn-controls>
            ${this.modelLoading ? html`<p class="small muted" role="status">Loading the model…</p>` : nothing}
            ${!this.modelPath && !this.modelLoading ? html`<snn-problem .problem=${NO_MODEL} test-id="no-model"></snn-problem>` : nothing}
            <snn-problem .problem=${this.modelProblem} test-id="model-error" @retry=${() => this.modelPath && this.loadModel(this.modelPath)}></snn-problem>
            <snn-text-input .value=${this.text} .language=${summary?.language ?? 'en'} ?offerExamples=${!!summary && languageMismatch(this.text, summary.language) !== null}
              @text-change=${this.onText}></snn-text-input>
            ${this.strip
              ? html`<snn-token-strip .tokens=${this.strip.tokens} .drive=${this.strip.drive} .rawDrive=${this.strip.rawDrive} .known=${this.strip.known} .pointed=${this.pointedWord}
                  @word-point=${(event: CustomEvent<number | null>) => (this.pointedWord = event.detail)}></snn-token-strip>`
              : nothing}
          </section>
          <section class="panel" aria-label="Classification">
            <h2>Classification</h2>
            <snn-problem .problem=${this.problem} test-id="classify-error" @retry=${() => this.classifyNow()}></snn-problem>
            ${this.computing && this.chunks
              ? html`<p class="small muted" role="status" data-testid="long-text-progress">A long text: ${Math.round((100 * this.chunks.done) / this.chunks.total)} % done (part ${this.chunks.done} of ${this.chunks.total}). Typing something new stops it.</p>`
              : nothing}
            ${sample && allUnknown(sample) ? html`<p class="message warn">None of these words is in the model’s vocabulary: the network saw only silence, so the label means nothing.</p>` : nothing}
            <snn-result .sample=${sample} .classes=${summary?.classes ?? []} .timings=${this.result?.timings ?? null} .backend=${this.result?.backend ?? null}
              .numSteps=${this.result?.options.numSteps ?? this.numSteps} ?computing=${this.computing} .population=${summary?.population ?? 1}
              .spikingReadout=${summary ? summary.layers[summary.layers.length - 1]?.spiking !== false : true}></snn-result>
            ${summary
              ? html`<snn-compare .language=${summary.language} .numSteps=${this.numSteps} .classes=${summary.classes} .comparison=${this.comparison} ?hasText=${this.text.trim() !== ''}
                  @compare-steps=${() => this.compareSteps()} @compare-pair=${(event: CustomEvent<[string, string]>) => this.comparePair(event.detail)}></snn-compare>`
              : nothing}
            ${summary ? html`<p class="model-note small muted">${summary.name}: ${summary.description}</p>` : nothing}
          </section>
        </div>
        <section class="panel views" aria-label="Inspect">
          <snn-tabs .tabs=${VIEWS} selected=${this.view} @view-change=${(event: CustomEvent<View>) => this.showView(event.detail)}>${this.renderView()}${this.renderTrain()}</snn-tabs>
        </section>
      </main>
      <footer class="small muted">Everything runs in this page: the text, the model and the results never leave your computer.</footer>
      ${this.toast ? html`<div class="toast" role="status">${this.toast}</div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-app': SnnApp;
  }
}
