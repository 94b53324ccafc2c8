import { integerFlag, parseFlags } from './flags';
import { loadModelDir } from '../model/node-io';
import { isSpikingKind } from '../model/spec';
import type { BatchResult, RunOptions, SampleResult } from '../engine/types';
import { InputError } from '../engine/errors';
import { UsageError } from './errors';
import { backendChoice, createNodeEngine } from './node-engine';

/**
 * Texts from standard input, one per non-blank line. Read as a stream: a synchronous read of a pipe
 * fails with EAGAIN when the writer is slower.
 */
async function readStdinTexts(): Promise<string[]> {
  if (process.stdin.isTTY) throw new UsageError('give a TEXT argument, or pipe texts on standard input, one per line');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return textLines(Buffer.concat(chunks), 'standard input');
}

/**
 * The non-blank lines of UTF-8 text (a leading byte-order mark dropped). Input that is not text (a
 * NUL byte, bytes that are not UTF-8: a binary file, random data, another encoding) is refused with
 * an `InputError` naming `source` and the first bad byte, instead of being classified as junk lines.
 */
export function textLines(bytes: Uint8Array, source: string): string[] {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new InputError(`${source} is not text: it holds a NUL byte (byte ${nul + 1}, line ${lineOf(bytes, nul)}); pipe UTF-8 text, one text per line`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const where = bad < 0 ? '' : ` (byte ${bad + 1} is 0x${bytes[bad].toString(16).toUpperCase().padStart(2, '0')}, line ${lineOf(bytes, bad)})`;
    throw new InputError(`${source} is not UTF-8 text${where}; convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8) and pipe one text per line`);
  }
  return text.split(/\r?\n/).filter((line) => line.trim().length > 0);
}

/** 1-based line number of byte `offset`. */
function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that starts no well-formed UTF-8 sequence (a bad lead byte or a broken sequence), or −1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b < 0x80) length = 1;
    else if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return -1;
}

/** A count as it is, a summed current (a non-spiking readout) or a fractional event count to 3 decimals. */
function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function formatSample(text: string, sample: SampleResult, classes: string[], spikingReadout: boolean): string {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  const lines = [`${JSON.stringify(shown)} -> ${sample.label}`];
  const scores = classes.map((c, i) => `${c} ${formatNumber(sample.scores[i])}`).join(', ');
  lines.push(spikingReadout ? `  SNN output spikes: ${scores}` : `  SNN readout (summed over T): ${scores}`);
  if (sample.ann) {
    const agree = sample.ann.labelIndex === sample.labelIndex ? 'agrees' : 'disagrees';
    lines.push(`  ANN twin: ${sample.ann.label} (${classes.map((c, i) => `${c} ${sample.ann!.scores[i].toFixed(3)}`).join(', ')}), ${agree}`);
  }
  lines.push(`  spikes: ${sample.activity.map((a) => `${a.layer} ${formatNumber(a.spikeCount)} (rate ${a.firingRate.toFixed(3)})`).join(', ')}`);
  const energy = sample.energy;
  lines.push(
    `  energy: SNN ${(energy.snnEnergyPicojoules / 1e6).toFixed(3)} uJ, ANN ${(energy.annEnergyPicojoules / 1e6).toFixed(3)} uJ: ${energy.verdict}`,
  );
  if (sample.unknownTokens.length > 0) {
    const unknown = [...new Set(sample.unknownTokens)];
    lines.push(`  unknown to the model (silent): ${unknown.slice(0, 12).join(' ')}${unknown.length > 12 ? ` ... (${unknown.length} in all)` : ''}`);
  }
  return lines.join('\n');
}

/** JSON for machines: everything but the bulky per-position arrays. */
function jsonResult(texts: string[], result: BatchResult): unknown {
  return {
    backend: result.backend,
    backendDetail: result.backendDetail,
    options: result.options,
    timings: result.timings,
    notices: result.notices,
    results: result.samples.map((sample, i) => ({
      text: texts[i],
      label: sample.label,
      scores: sample.scores,
      ann: sample.ann,
      tokens: sample.tokens,
      unknownTokens: sample.unknownTokens,
      activity: sample.activity.map(({ perPosition: _perPosition, ...rest }) => rest),
      energy: sample.energy,
    })),
  };
}

/** `spikescope classify`: label, scores, spike counts and energy for each text. */
export async function runClassify(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, {
    model: { type: 'string' },
    backend: { type: 'string' },
    steps: { type: 'string' },
    encoding: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  }, true);
  const { values, positionals } = parsed;
  if (!values.model) throw new UsageError('classify needs --model DIR (a folder with model.json and weights.safetensors)');
  const backend = backendChoice(values.backend);
  const model = await loadModelDir(values.model);
  const encoding = values.encoding ?? model.config.defaultEncoding;
  if (encoding !== 'rate' && encoding !== 'direct') throw new UsageError(`--encoding must be rate or direct, got '${encoding}'`);
  const options: RunOptions = {
    numSteps: integerFlag('steps', values.steps, model.config.numSteps, 1, 1000),
    encoding,
    seed: integerFlag('seed', values.seed, model.config.seed, 0, 0xffffffff),
  };
  const texts = positionals.length > 0 ? positionals : await readStdinTexts();
  if (texts.length === 0) throw new InputError('no text to classify: standard input had no non-blank line');
  const engine = createNodeEngine(backend);
  try {
    const result = await engine.classify(model, texts, options);
    if (values.json) {
      console.log(JSON.stringify(jsonResult(texts, result), null, 2));
    } else {
      console.log(`model ${model.config.name}; ${result.backend} backend: ${result.backendDetail}; T = ${options.numSteps}, ${options.encoding} encoding, seed ${options.seed}`);
      const last = model.spec.layers[model.spec.layers.length - 1];
      const spikingReadout = isSpikingKind(last.kind);
      result.samples.forEach((sample, i) => console.log(formatSample(texts[i], sample, model.spec.readout.classes, spikingReadout)));
      console.log(`${texts.length} text(s) in ${result.timings.totalMs.toFixed(0)} ms`);
      for (const notice of result.notices) console.log(`note: ${notice}`);
    }
  } finally {
    engine.dispose();
  }
  return 0;
}
