import { describe, expect, it } from 'vitest';
import { loadDataset } from '../data/load';
import { GpuBackend } from '../engine/backends';
import { prepareBatch } from '../engine/batch';
import { minimumTokens } from '../layers/graph';
import type { ConvLayerSpec } from '../model/spec';
import { GpuOps } from '../engine/gpu-ops';
import { kernelWeights } from '../engine/resident';
import { parseModel, serializeModel } from '../model/format';
import { tokenize } from '../model/tokenizer';
import { testGpu } from '../test-support/gpu';
import { suBifModel } from './bif';
import { collectActivations } from './calibrate';
import { characterVocabulary, encodeExamples } from './prepare';
import { trainTextCnn } from './run';
import { TextCnnTrainer, type TextCnnConfig } from './textcnn';

/**
 * Su et al.'s claim, on real data (architecture §2.3): after conversion, the spike count of every BIF
 * neuron equals the quantised ANN twin's integer activation, exactly. A small quantised TextCNN is
 * trained on 400 real ChnSentiCorp sentences (a learned character table, so the test needs no
 * GloVe file), converted, and run through the inference engine on the GPU.
 */
describe('lossless conversion of a quantised TextCNN to BIF neurons (real data)', () => {
  it.each([
    ['analog input presented once', false, 'spikes'],
    ['binary input: one spike per component at the first step', true, 'spikes'],
    ['analog input, the classifier\'s summed currents as the scores (no output neurons)', false, 'membrane'],
  ] as const)('%s: every spike count equals the quantised ANN activation, count for count', async (_, binary, readout) => {
    const dataset = await loadDataset('chnsenticorp');
    let prepared = characterVocabulary(dataset.train.slice(0, 400), 16, 1, 3);
    if (binary) {
      // A frozen binary table: p = 1 at or above μ = ½ (binarySigmas 0 with the learned table's μ, σ).
      const probabilities = Float32Array.from(prepared.probabilities, (p) => (p >= 0.5 ? 1 : 0));
      prepared = { ...prepared, probabilities, embeddings: probabilities, binarySigmas: 0, learned: false };
    }
    const centre = binary ? prepared.probabilities.reduce((a, b) => a + b, 0) / prepared.probabilities.length : 0.5;
    const train = encodeExamples(dataset.train.slice(0, 400), prepared);
    const test = dataset.test.slice(0, 48);
    const config: TextCnnConfig = { dim: 16, widths: [2, 3], filters: 12, classes: 2, hidden: { kind: 'quant', levels: 4 }, pool: 'sum', dropout: 0.2, learnTable: !binary, minLength: 3, centre };
    const ctx = await testGpu();
    const ops = new GpuOps(ctx);
    let model: ReturnType<typeof parseModel>;
    try {
      const settings = { seed: 1, epochs: 1, batchSize: 32, learningRate: 3e-3, tableLearningRate: 1e-2, weightDecay: 0.01, maxTokens: 48 };
      const result = await trainTextCnn(ops, config, prepared.probabilities, train, [], settings);
      const trainer = new TextCnnTrainer(ops, config, result.parameters, 32, 48);
      const calibration = await collectActivations(trainer, train.slice(0, 64), 32, 48);
      const provenance = { name: 'test', description: '', command: 'test', dataset: 'chnsenticorp', split: 'given', seed: 1, notes: '' };
      const made = suBifModel({ prepared, config, parameters: result.parameters, classes: dataset.classes, calibration, outputLevels: 64, maxTokens: 600, numSteps: 16, seed: 1, provenance, metrics: {}, readout });
      const { configText, weightBytes } = serializeModel(made.config, made.weights);
      model = parseModel(configText, weightBytes);
      expect(model.spec.encoder.kind).toBe(binary ? 'rate' : 'direct');
      if (binary) expect([...model.probabilities]).toEqual([...withPresence(prepared.probabilities, 16)]);
    } finally {
      ops.dispose();
    }

    const ids = test.map((example) => model.vocabulary.encode(tokenize(example.text, 'chinese')).ids.subarray(0, 40));
    const batch = prepareBatch(ids, minimumTokens(model.spec));
    const backend = new GpuBackend(ctx);
    // The output layer has 64 levels (counts 0..63): one spike per step at most, so the counts settle
    // after the hidden layer's 3 steps and up to 63 of the output layer's, plus any transients.
    const numSteps = 96;
    const base = { numSteps, encoding: model.spec.encoder.kind, seed: 1, maxChunkPositions: 1024 };
    const [snn, ann, short] = (
      await backend.run(model, batch, [{ ...base, mode: 'snn', record: { spikeLayers: ['conv_spike'] } }, { ...base, mode: 'ann' }, { ...base, numSteps: 4, mode: 'snn' }])
    ).raws;

    if (binary) {
      // One input spike per component with p = 1 of every present token, all at step 0.
      let expected = 0;
      for (let b = 0; b < batch.batch; b++) {
        for (let j = 0; j < batch.lengths[b]; j++) {
          const id = batch.tokenIds[b * batch.tokens + j];
          if (id >= 0) for (let d = 0; d < 17; d++) expected += model.probabilities[id * 17 + d];
        }
      }
      let events = 0;
      for (const x of snn.inputEvents) events += x;
      expect(events).toBe(expected);
    }
    // Output layer: spike counts = the twin's quantised outputs (integers, step 1); or, with no output
    // neurons, the summed currents = the twin's logits, exactly (dyadic weights times integer counts).
    expect(snn.scores.length).toBe(ann.scores.length);
    expect([...snn.scores]).toEqual([...ann.scores]);
    expect(ann.scores.some((x) => x > 0)).toBe(true);
    if (readout === 'membrane') expect(model.spec.layers.map((layer) => layer.name)).toEqual(['conv', 'conv_spike', 'pool', 'fc']);
    else checkOutputLevels();
    /** Spiking output: the levels used, the dead zone, and the early decision of two centred classes. */
    function checkOutputLevels() {
      // The fine output quantiser is used beyond the old 8 levels, and few sentences lose both classes
      // to the dead zone |logit| < step/2 (a 0:0 tie, which argmax gives to the first class).
      expect(Math.max(...ann.scores)).toBeGreaterThan(7);
      expect(model.spec.readout.population).toBe(1);
      const classes = model.spec.readout.classes.length;
      const argmax = (scores: ArrayLike<number>, b: number) => {
        let best = 0;
        for (let k = 1; k < classes; k++) if (scores[b * classes + k] > scores[b * classes + best]) best = k;
        return best;
      };
      let ties = 0;
      for (let b = 0; b < batch.batch; b++) if ([...ann.scores.subarray(b * classes, (b + 1) * classes)].every((x) => x === 0)) ties++;
      expect(ties).toBeLessThan(batch.batch / 8);
      // Two centred classes: the winner has fired and the loser has cancelled its spikes by T = 4, so
      // the short run already predicts what the twin predicts, though its counts are not yet settled.
      for (let b = 0; b < batch.batch; b++) expect(argmax(short.scores, b), `sample ${b}`).toBe(argmax(ann.scores, b));
    }

    // Hidden layer: the twin's levels clamp(⌊z + ½⌋, 0, 3), z the same convolution on the same GPU.
    const conv = model.spec.layers[0] as ConvLayerSpec;
    const C = conv.widths.length * conv.filters;
    const positions = batch.tokens - Math.min(...conv.widths) + 1;
    const gpu = new GpuOps(ctx);
    const weights = kernelWeights(model.spec, model.weights);
    const upload = (role: string, data: Float32Array | Int32Array | Uint32Array) => gpu.upload(role, data);
    const dim = model.spec.encoder.embeddingDim;
    const encoded = gpu.allocate('encoded', batch.batch * batch.tokens * dim);
    gpu.encode({ kind: 'direct', seed: 1, shape: { numSteps: 1, batch: batch.batch, tokens: batch.tokens, dim }, tStart: 0, tCount: 1, positionOffset: 0, tokenIds: upload('ids', batch.tokenIds), probabilities: upload('p', model.probabilities), streamIds: upload('streams', batch.streamIds), output: encoded });
    const z = gpu.allocate('z', batch.batch * positions * C);
    gpu.conv({ shape: { rows: batch.batch, batch: batch.batch, tokens: batch.tokens, inChannels: dim, widths: conv.widths, filters: conv.filters }, rowStart: 0, rowCount: batch.batch, input: encoded, weights: upload('w', weights.get('conv.weight')!), bias: null, lengths: upload('lengths', batch.lengths), output: z });
    const levels = gpu.allocate('levels', batch.batch * positions * C);
    gpu.activation({ count: batch.batch * positions * C, activation: { kind: 'quant', step: 1, levels: 4 }, input: z, output: levels });
    const [twin] = await gpu.read([{ tensor: levels, length: batch.batch * positions * C }]);
    gpu.dispose();
    const spikeTrain = snn.spikeTrains.get('conv_spike')!;
    let checked = 0;
    let spiking = 0;
    for (let b = 0; b < batch.batch; b++) {
      conv.widths.forEach((width, k) => {
        const valid = Math.max(0, batch.lengths[b] - width + 1);
        for (let q = 0; q < valid; q++) {
          for (let f = 0; f < conv.filters; f++) {
            const c = k * conv.filters + f;
            let count = 0;
            for (let t = 0; t < numSteps; t++) count += spikeTrain.samples[b][(t * positions + q) * C + c];
            const expected = twin[(b * positions + q) * C + c];
            if (count !== expected) expect.fail(`sample ${b}, position ${q}, channel ${c}: ${count} spikes, quantised ANN ${expected}`);
            checked++;
            if (count > 0) spiking++;
          }
        }
      });
    }
    expect(checked).toBeGreaterThan(1000);
    expect(spiking).toBeGreaterThan(checked / 20);
  });
});

/** A `[rows][dim]` table with the presence column (1) appended, as the model stores it. */
function withPresence(table: Float32Array, dim: number): Float32Array {
  const rows = table.length / dim;
  const out = new Float32Array(rows * (dim + 1));
  for (let r = 0; r < rows; r++) {
    out.set(table.subarray(r * dim, (r + 1) * dim), r * (dim + 1));
    out[r * (dim + 1) + dim] = 1;
  }
  return out;
}
