/**
 * What the app asks the engine to record for one text: the spike trains the raster draws, and the
 * membrane trace of the neuron a person clicked. Trains of the layers before pooling grow with the
 * text (positions × channels × T), so they are recorded only up to a budget; a longer text gets
 * per-position totals (always reported) and a note saying so. Pure.
 */
import type { RecordRequest } from '../engine/types';
import { isSpikingKind } from '../model/spec';
import { tokenize, type TokenizerKind } from '../model/tokenizer';

/** Neuron-steps of position-wise trains recorded at most for one text (float32: 4 bytes each). */
export const RECORD_CELL_BUDGET = 6_000_000;
/** Texts longer than this are not tokenised on the page to estimate their length: they count as long. */
const ESTIMATE_CHARACTERS = 20_000;

/** The layers of a model as the planner needs them (a subset of `ModelSummary`). */
export interface PlannedModel {
  tokenizer: TokenizerKind;
  layers: readonly { name: string; kind: string; positional: boolean; channels: number }[];
}

/** The recording for one request and, when trains were left out, why. */
export interface RecordPlan {
  record: RecordRequest;
  /** Tokens of the text (an upper bound for very long texts). */
  tokenCount: number;
  /** Set when position-wise trains are not recorded. */
  trainsNote: string | null;
}

/** Tokens of a text for a model's tokeniser; the character count for texts too long to tokenise here. */
export function estimateTokens(text: string, tokenizer: TokenizerKind): number {
  return text.length > ESTIMATE_CHARACTERS ? text.length : tokenize(text, tokenizer).length;
}

/**
 * Plans the recording: flat layers' trains always (they are small), the input's and the
 * position-wise layers' trains while they fit `RECORD_CELL_BUDGET`, and the membrane of the
 * selected neuron of any spiking layer.
 */
export function planRecording(model: PlannedModel, text: string, numSteps: number, selection: { layer: string; neuron: number } | null): RecordPlan {
  const spiking = model.layers.filter((layer) => isSpikingKind(layer.kind));
  const positional = spiking.filter((layer) => layer.positional);
  const flat = spiking.filter((layer) => !layer.positional);
  const tokenCount = estimateTokens(text, model.tokenizer);
  // The input's width is not in the summary; count it as wide as the widest position-wise layer (at least 300).
  const widest = Math.max(300, ...positional.map((layer) => layer.channels));
  const cells = (tokenCount + 1) * numSteps * widest * (positional.length + 1);
  const fits = cells <= RECORD_CELL_BUDGET;
  const record: RecordRequest = {
    spikeLayers: [...(fits ? positional : []), ...flat].map((layer) => layer.name),
    input: fits,
  };
  if (selection && spiking.some((layer) => layer.name === selection.layer)) record.membrane = [{ layer: selection.layer, neurons: [selection.neuron] }];
  const trainsNote = fits
    ? null
    : `This text has ${text.length > ESTIMATE_CHARACTERS ? 'up to ' : ''}${tokenCount.toLocaleString('en-US')} tokens: at T = ${numSteps} the spike trains of the layers before pooling would hold about ${(cells / 1e6).toFixed(0)} million neuron-steps, more than the ${RECORD_CELL_BUDGET / 1e6} million the page records.`;
  return { record, tokenCount, trainsNote };
}
