/** A long batch sees its abort signal while it tokenises, and classifying in parts changes no result (CPU backend). */
import { describe, expect, it } from 'vitest';
import { parseModel, serializeModel } from '../model/format';
import { makeRandomTextCnn } from '../model/random-model';
import { Engine, TOKENIZE_STEP } from './engine';
import { executeAll } from './executor';
import { CpuOps } from './cpu-ops';
import { kernelWeights } from './resident';
import { prepareBatch } from './batch';

const WORDS = 'the a film is good bad great boring and but not very fun dull story acting movie plot love hate it'.split(' ');

function model() {
  const { config, weights } = makeRandomTextCnn({ vocabulary: WORDS, dim: 12, widths: [2, 3], filters: 4, classes: ['negative', 'positive'], seed: 3 });
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

/** Texts of 2 to 9 words, different from one another. */
const texts = (count: number, repeat = 1) =>
  Array.from({ length: count }, (_, i) => Array.from({ length: 2 + (i % 8) }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(' ').concat(' ').repeat(repeat).trim());

describe('engine: cancel and parts', () => {
  it('a cancel during tokenising stops the request at once with CancelledError, before any batch runs', async () => {
    const engine = new Engine({ backend: 'cpu' });
    // 20,000 texts of a few hundred words: tokenising them all takes seconds.
    const many = texts(20_000, 60);
    const controller = new AbortController();
    const progress: number[] = [];
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 30);
    const started = performance.now();
    const error = await engine
      .classify(model(), many, { numSteps: 4, encoding: 'rate', seed: 1 }, { signal: controller.signal, onProgress: (done) => progress.push(done) })
      .catch((caught: Error) => caught);
    const stoppedAfter = performance.now() - abortedAt;
    expect((error as Error).name).toBe('CancelledError');
    expect(abortedAt).toBeGreaterThan(started);
    // The first progress report comes after tokenising: none came, so the cancel was seen while tokenising.
    expect(progress).toEqual([]);
    expect(stoppedAfter).toBeLessThan(250);
    engine.dispose();
  });

  it('texts classified in parts (numbered from firstIndex) or in timed batches give the same results as in one request', async () => {
    const engine = new Engine({ backend: 'cpu' });
    const m = model();
    const all = texts(TOKENIZE_STEP * 2 + 37);
    const options = { numSteps: 4, encoding: 'rate' as const, seed: 7 };
    const whole = await engine.classify(m, all, options);
    const split = 300;
    const first = await engine.classify(m, all.slice(0, split), options, { firstIndex: 0 });
    const second = await engine.classify(m, all.slice(split), options, { firstIndex: split });
    const parts = [...first.samples, ...second.samples];
    expect(parts.map((sample) => [sample.labelIndex, sample.scores, sample.ann?.scores])).toEqual(whole.samples.map((sample) => [sample.labelIndex, sample.scores, sample.ann?.scores]));
    // Batches sized to a time target (from one text up) give the same results too.
    const timed = await engine.classify(m, all, options, { batchTargetMs: 0.001 });
    expect(timed.samples.map((sample) => [sample.labelIndex, sample.scores, sample.ann?.scores])).toEqual(whole.samples.map((sample) => [sample.labelIndex, sample.scores, sample.ann?.scores]));
    await expect(engine.classify(m, ['good', '  '], options, { firstIndex: 1000 })).rejects.toThrow(/^Text 1002 is empty\.$/);
    await expect(engine.classify(m, ['  '], options)).rejects.toThrow(/^The text is empty/);
    engine.dispose();
  });

  it('a long text runs chunk by chunk: it reports each chunk, stops at the next one once cancelled, and gives the same results', async () => {
    const m = model();
    const resident = { spec: m.spec, probabilities: m.probabilities, weights: kernelWeights(m.spec, m.weights) };
    const ids = m.vocabulary.encode(texts(1, 200)[0].split(' ')).ids;
    const batch = prepareBatch([ids], m.spec.encoder.minLength);
    const runs = [{ mode: 'snn' as const, numSteps: 4, encoding: 'rate' as const, seed: 5, maxChunkPositions: 64 }, { mode: 'ann' as const, numSteps: 4, encoding: 'rate' as const, seed: 5, maxChunkPositions: 64 }];
    const plain = await executeAll(new CpuOps(), resident, batch, runs);
    const reports: [number, number][] = [];
    const followed = await executeAll(new CpuOps(), resident, batch, runs, { onChunk: (done, total) => reports.push([done, total]) });
    expect(followed.map((raw) => Array.from(raw.scores))).toEqual(plain.map((raw) => Array.from(raw.scores)));
    const total = reports[0][1];
    expect(total).toBeGreaterThan(10);
    expect(reports).toEqual(Array.from({ length: total }, (_, i) => [i + 1, total]));
    const controller = new AbortController();
    let seen = 0;
    const error = await executeAll(new CpuOps(), resident, batch, runs, {
      signal: controller.signal,
      onChunk: (done) => {
        seen = done;
        if (done === 3) controller.abort();
      },
    }).catch((caught: Error) => caught);
    expect((error as Error).name).toBe('CancelledError');
    expect(seen).toBe(3);
  });
});
