import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { SampleResult } from '../engine/types';
import { isSpikingKind } from '../model/spec';
import type { ModelSummary } from '../worker/api';
import { neuronInfo, neuronSpikes, sequenceTrain, type RasterContext, type RasterRole, type RasterTrain } from './raster-layout';
import type { NeuronSelection } from './snn-raster';
import { baseStyles } from './theme';
import './snn-decision';
import './snn-membrane';
import './snn-position-activity';
import './snn-raster';

/** A layer the view can show, with its train when recorded. */
interface LayerChoice {
  name: string;
  label: string;
  train: RasterTrain | null;
  perPosition: Float32Array | null;
  positional: boolean;
}

/** The conv layer's shape, from the model summary. */
function convShape(summary: ModelSummary): RasterContext['conv'] {
  const conv = summary.layers.find((layer) => layer.kind === 'conv' && layer.widths && layer.filters);
  return conv ? { widths: conv.widths!, filters: conv.filters! } : null;
}

/** Spike events of a train over its steps 0 … `step`. */
function spikesUpTo(train: RasterTrain, step: number): number {
  const stride = train.positions * train.channels;
  let count = 0;
  for (let i = 0, end = Math.min(train.numSteps, step + 1) * stride; i < end; i++) count += Math.abs(train.spikes[i]);
  return count;
}

/** What the views show and the words they use, in a few lines; open before the first result. */
function glossary(open: boolean) {
  return html`<details class="glossary" ?open=${open} data-testid="glossary">
    <summary>What am I seeing?</summary>
    <dl>
      <dt>Spiking network (SNN)</dt>
      <dd>A network whose neurons talk in spikes, 0 or 1 (−1 too for bipolar neurons), over T time steps, as neuromorphic chips run them.</dd>
      <dt>Encoding</dt>
      <dd>How a word enters: its vector fires spikes with a probability per component at each step (<i>rate</i>), or flows in as a current (<i>direct</i>).</dd>
      <dt>Neuron, membrane, threshold θ</dt>
      <dd>A neuron adds its input to a membrane potential and fires when it crosses θ. IF neurons keep the potential, LIF and PLIF let it leak; BIF neurons also fire negative spikes, which makes the conversion from an ordinary network exact.</dd>
      <dt>Raster</dt>
      <dd>One row per neuron, one column per time step, a mark per spike. Click a mark to see that neuron’s membrane potential over time.</dd>
      <dt>Firing rate</dt>
      <dd>Spikes per neuron and step: the fewer, the less energy a chip spends.</dd>
      <dt>ANN twin</dt>
      <dd>The ordinary network with the same weights, computed beside the SNN: the SNN should give its label.</dd>
      <dt>Drive</dt>
      <dd>How strongly each word moved the first layer (the shading of the words under the text).</dd>
    </dl>
  </details>`;
}

/**
 * The spikes of one inference: a layer picker, the raster of the chosen layer, the membrane
 * potential of the selected neuron, and the output's cumulative spikes per class over time.
 * Re-fires `neuron-select` from the raster for the app (which records the trace).
 */
@customElement('snn-spikes-view')
export class SnnSpikesView extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .layers {
        display: flex;
        gap: 4px;
        flex-wrap: wrap;
        margin-bottom: 8px;
        align-items: center;
      }
      .glossary {
        font-size: 13px;
        margin-bottom: 8px;
        border: 1px solid var(--snn-border);
        border-radius: var(--snn-radius);
        padding: 6px 10px;
      }
      .glossary summary {
        cursor: pointer;
        color: var(--snn-accent);
        font-weight: 500;
      }
      .glossary dl {
        margin: 6px 0 0;
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 4px 12px;
      }
      .glossary dt {
        font-weight: 600;
      }
      .glossary dd {
        margin: 0;
        color: var(--snn-muted);
      }
      @media (max-width: 560px) {
        .glossary dl {
          grid-template-columns: 1fr;
        }
      }
      .scrubber {
        display: flex;
        align-items: center;
        gap: 8px;
        flex-wrap: wrap;
        margin: 0 0 6px;
      }
      .scrubber input[type='range'] {
        flex: 1;
        min-width: 120px;
      }
      .layers .code {
        font-family: var(--snn-mono);
        font-size: 11px;
        color: var(--snn-muted);
        font-weight: 400;
      }
      .layers button[aria-checked='true'] {
        background: var(--snn-accent-soft);
        border-color: var(--snn-accent);
        color: var(--snn-accent);
        font-weight: 600;
      }
      .layers .stat {
        font-size: 12px;
        color: var(--snn-muted);
        margin-left: auto;
      }
      .below {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 16px;
        margin-top: 14px;
      }
      .below section {
        min-width: 0;
      }
      @media (max-width: 760px) {
        .below {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  /** The time scrubber: the step shown (0-based), or null for the whole run. */
  @state() private step: number | null = null;
  @state() private playing = false;
  private playTimer: ReturnType<typeof setInterval> | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.playTimer);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('sample')) {
      this.stop();
      this.step = null;
    }
  }

  private stop(): void {
    clearInterval(this.playTimer);
    this.playing = false;
  }

  /** Plays the run step by step (about 4 steps a second), from the start or from the step shown. */
  private play(steps: number): void {
    if (this.playing) return this.stop();
    this.playing = true;
    if (this.step === null || this.step >= steps - 1) this.step = 0;
    this.playTimer = setInterval(() => {
      if (this.step === null || this.step >= steps - 1) return this.stop();
      this.step += 1;
    }, Math.max(60, Math.min(400, 6000 / steps)));
  }

  private renderScrubber(steps: number) {
    if (steps < 2) return nothing;
    const shown = this.step ?? steps - 1;
    return html`<div class="scrubber" role="group" aria-label="Time">
      <button type="button" data-testid="play" @click=${() => this.play(steps)} aria-label=${this.playing ? 'Pause' : 'Play the run step by step'}>${this.playing ? '❚❚ Pause' : '▶ Play'}</button>
      <label for="time" class="small muted">step</label>
      <input id="time" type="range" min="1" max=${steps} .value=${String(shown + 1)} aria-valuetext=${`step ${shown + 1} of ${steps}`}
        @input=${(event: Event) => {
          this.stop();
          this.step = Number((event.target as HTMLInputElement).value) - 1;
        }} />
      <span class="num small" data-testid="time-step">${this.step === null ? `all ${steps} steps` : `step ${shown + 1} of ${steps}`}</span>
      ${this.step !== null ? html`<button type="button" @click=${() => (this.stop(), (this.step = null))}>All steps</button>` : nothing}
    </div>`;
  }

  /** The word pointed at in the text's word strip: the raster shades its rows. */
  @property({ type: Number }) pointedWord: number | null = null;
  @property({ attribute: false }) sample: SampleResult | null = null;
  @property({ attribute: false }) summary: ModelSummary | null = null;
  @property({ attribute: false }) selection: NeuronSelection | null = null;
  /** Said above the raster when spike trains were not recorded (a long text). */
  @property() trainsNote: string | null = null;
  @property({ type: Number }) rasterHeight = 320;
  @state() private chosenLayer: string | null = null;
  private cache: { sample: SampleResult | null; summary: ModelSummary | null; choices: LayerChoice[]; context: RasterContext | null } = {
    sample: null,
    summary: null,
    choices: [],
    context: null,
  };

  /** Layer choices and naming context, computed once per result (stable identities for the raster). */
  private derive(): { choices: LayerChoice[]; context: RasterContext | null } {
    const { sample, summary } = this;
    if (this.cache.sample === sample && this.cache.summary === summary) return this.cache;
    let choices: LayerChoice[] = [];
    let context: RasterContext | null = null;
    if (sample && summary) {
      const conv = convShape(summary);
      const layerSpans = Object.fromEntries(summary.layers.filter((layer) => layer.spans).map((layer) => [layer.name, layer.spans!]));
      context = { tokens: sample.tokens, paddedLength: sample.tokenIds.length, conv, layerSpans, classes: summary.classes, population: summary.population };
      const spiking = summary.layers.filter((layer) => isSpikingKind(layer.kind));
      const last = spiking[spiking.length - 1]?.name;
      const convChannels = conv ? conv.widths.length * conv.filters : -1;
      const roleOf = (name: string, positional: boolean, channels: number): RasterRole =>
        name === 'input' ? 'input' : positional ? 'positional' : name === last ? 'output' : channels === convChannels ? 'pooled' : 'hidden';
      const sequences = new Set(summary.layers.filter((layer) => layer.kind === 'sequence-neuron').map((layer) => layer.name));
      const trainOf = (name: string, positional: boolean): RasterTrain | null => {
        const recorded = sample.spikeTrains?.find((train) => train.layer === name);
        if (!recorded) return null;
        // Neurons over the words: one row per neuron, the sentence's steps along time.
        return sequences.has(name) ? sequenceTrain(recorded) : { ...recorded, role: roleOf(name, positional, recorded.channels) };
      };
      const activity = (name: string) => sample.activity.find((entry) => entry.layer === name);
      const human: Record<RasterRole, string> = {
        input: 'input',
        positional: 'neurons over positions',
        pooled: 'pooled neurons',
        output: 'output neurons',
        hidden: 'hidden neurons',
        sequence: 'neurons over the words',
      };
      choices = spiking.map((layer) => ({
        name: layer.name,
        label: human[sequences.has(layer.name) ? 'sequence' : roleOf(layer.name, layer.positional, layer.channels)],
        train: trainOf(layer.name, layer.positional),
        perPosition: activity(layer.name)?.perPosition ?? null,
        positional: layer.positional,
      }));
      const input = trainOf('input', true);
      if (input || activity('input')?.perPosition) {
        choices.unshift({ name: 'input', label: 'input', train: input, perPosition: activity('input')?.perPosition ?? null, positional: true });
      }
    }
    this.cache = { sample, summary, choices, context };
    return this.cache;
  }

  private current(choices: LayerChoice[]): LayerChoice | null {
    return choices.find((choice) => choice.name === this.chosenLayer) ?? choices.find((choice) => choice.name !== 'input') ?? choices[0] ?? null;
  }

  private onLayerKey(event: KeyboardEvent, choices: LayerChoice[], index: number): void {
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = choices[(index + step + choices.length) % choices.length];
    this.chosenLayer = next.name;
    this.updateComplete.then(() => (this.renderRoot.querySelector(`[data-layer="${next.name}"]`) as HTMLElement | null)?.focus());
  }

  private renderMembrane(choices: LayerChoice[], context: RasterContext | null) {
    const selection = this.selection;
    const chosen = selection ? choices.find((choice) => choice.name === selection.layer) : undefined;
    if (!selection || !chosen?.train || !context || !this.sample) return html`<snn-membrane></snn-membrane>`;
    const info = neuronInfo(chosen.train, selection.neuron, context);
    const trace = this.sample.membrane?.find((entry) => entry.layer === selection.layer && entry.neuron === selection.neuron) ?? null;
    const note = selection.layer === 'input' ? 'Input components are spike sources, not neurons: they have no membrane.' : null;
    const words = chosen.train.window ? { window: chosen.train.window, tokens: context.tokens } : null;
    return html`<snn-membrane .info=${info} .trace=${trace} .spikes=${neuronSpikes(chosen.train, selection.neuron)} .note=${note} .words=${words}></snn-membrane>`;
  }

  override render() {
    const { choices, context } = this.derive();
    const sample = this.sample;
    if (!sample || !this.summary) {
      return html`<div class="intro" data-testid="spikes-intro">
        <p><b>Spikes appear here once a text is classified.</b> Type a sentence, or pick one of the examples under the text field.</p>
        ${glossary(true)}
      </div>`;
    }
    const chosen = this.current(choices);
    const runSteps = sample.cumulativeScores?.length ?? 0;
    const activity = sample.activity.find((entry) => entry.layer === chosen?.name);
    return html`
      ${glossary(false)}
      <div class="layers" role="radiogroup" aria-label="Layer shown in the raster">
        ${choices.map(
          (choice, index) => html`<button
            type="button"
            role="radio"
            data-layer=${choice.name}
            aria-checked=${choice === chosen ? 'true' : 'false'}
            tabindex=${choice === chosen ? 0 : -1}
            @click=${() => (this.chosenLayer = choice.name)}
            @keydown=${(event: KeyboardEvent) => this.onLayerKey(event, choices, index)}
            title=${choice.name === 'input' ? 'the encoded words, as the first layer receives them' : `layer “${choice.name}” of the network`}
          >
            ${choice.label} <code class="code">${choice.name === 'input' ? 'encoder' : choice.name}</code>
          </button>`,
        )}
        ${this.step !== null && chosen?.train && chosen.train.role !== 'sequence' && activity && activity.kind !== 'input'
          ? html`<span class="stat num" data-testid="spikes-to-step">${spikesUpTo(chosen.train, this.step).toLocaleString('en-US')} spikes up to step ${this.step + 1}</span>`
          : activity
          ? activity.kind === 'input' && !Number.isInteger(activity.spikeCount)
            ? html`<span class="stat num" title="Direct input is not spikes: each component is fed as a current, its firing probability.">analog input: current ${activity.spikeCount.toLocaleString('en-US', { maximumFractionDigits: 1 })} in all · mean ${activity.firingRate.toFixed(3)} per component and step</span>`
            : html`<span class="stat num">${activity.spikeCount.toLocaleString('en-US')} spikes · firing rate ${(activity.firingRate * 100).toFixed(1)} %</span>`
          : nothing}
      </div>
      ${this.renderScrubber(runSteps)}
      ${chosen?.train && context
        ? html`<snn-raster .train=${chosen.train} .context=${context} .height=${this.rasterHeight} .word=${this.pointedWord} .step=${chosen.train.role === 'sequence' ? null : this.step} .selectedNeuron=${this.selection?.layer === chosen.name ? this.selection.neuron : null}></snn-raster>`
        : chosen?.perPosition
          ? html`<p class="message info">${this.trainsNote ?? 'Spike trains of this layer were not recorded.'} Shown: spike events per position, summed over neurons and steps.</p>
              <snn-position-activity .perPosition=${chosen.perPosition} .layer=${chosen.name}></snn-position-activity>`
          : html`<p class="message info">${this.trainsNote ?? 'Spike trains of this layer were not recorded.'}</p>`}
      <div class="below">
        <section aria-label="Membrane potential">
          <h2>Membrane potential</h2>
          ${this.renderMembrane(choices, context)}
        </section>
        <section aria-label="Decision over time">
          <h2>Decision over time</h2>
          <snn-decision .cumulative=${sample.cumulativeScores ?? null} .classes=${this.summary.classes} .winner=${sample.labelIndex} .step=${this.step}></snn-decision>
        </section>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-spikes-view': SnnSpikesView;
  }
}
