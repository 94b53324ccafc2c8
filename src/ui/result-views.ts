/**
 * Turns engine results into what the panels draw: the token strip's words, drive and known flags
 * for one text, and the batch panel's rows. Pure.
 */
import type { BatchResult, SampleResult } from '../engine/types';
import type { BatchRow } from './batch-summary';
import { isSpikingKind } from '../model/spec';
import { normalizeDrive, tokenDriveFromPositions, tokenDriveFromTrain } from './token-drive';

/** The model facts the token strip needs: the first position-wise spiking layer and the tokens its channels cover. */
export interface StripModel {
  layers: readonly { name: string; kind: string; positional: boolean; spiking?: boolean; spans?: number[]; widths?: number[]; filters?: number }[];
}

/** Words of a text with how strongly each drove the network and whether the model knows it. */
export interface TokenStripData {
  tokens: readonly string[];
  /** 0 … 1, share of the strongest word. */
  drive: Float32Array;
  /** First-layer spike events credited to each word. */
  rawDrive: Float32Array;
  known: boolean[];
}

/** The token strip of one result (see `token-drive.ts` for how spikes are credited to words). */
export function tokenStripData(sample: SampleResult, model: StripModel): TokenStripData {
  const count = sample.tokens.length;
  const first = model.layers.find((layer) => (layer.spiking ?? isSpikingKind(layer.kind)) && layer.positional);
  const spans = first?.spans ?? [1];
  let raw: Float32Array = new Float32Array(count);
  const train = first && sample.spikeTrains?.find((entry) => entry.layer === first.name);
  if (train) {
    raw = tokenDriveFromTrain(train.spikes, train, spans, count);
  } else {
    const perPosition = first ? sample.activity.find((entry) => entry.layer === first.name)?.perPosition : undefined;
    const events = perPosition ?? sample.activity.find((entry) => entry.layer === 'input')?.perPosition;
    let narrowest = spans[0];
    for (const span of spans) narrowest = Math.min(narrowest, span);
    if (events) raw = tokenDriveFromPositions(events, perPosition ? narrowest : 1, count);
  }
  return {
    tokens: sample.tokens,
    drive: normalizeDrive(raw),
    rawDrive: raw,
    known: sample.tokens.map((_, i) => (sample.tokenIds[i] ?? -1) >= 0),
  };
}

/** One row per text of a batch, with the file's label when there is one. */
export function batchRows(texts: readonly string[], labels: readonly (string | null)[] | null, result: BatchResult): BatchRow[] {
  return result.samples.map((sample, i) => ({
    text: texts[i],
    label: labels ? (labels[i] ?? null) : null,
    predicted: sample.labelIndex,
    scores: sample.scores,
    annPredicted: sample.ann ? sample.ann.labelIndex : null,
    annScores: sample.ann ? sample.ann.scores : null,
  }));
}

/** True when no word of the text is in the model's vocabulary: the network saw only silence. */
export function allUnknown(sample: SampleResult): boolean {
  return sample.tokens.length > 0 && sample.unknownTokens.length >= sample.tokens.length;
}
