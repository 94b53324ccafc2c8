import { describe, expect, it } from 'vitest';
import { loadDataset } from '../data/load';
import { GpuBackend } from '../engine/backends';
import { prepareBatch } from '../engine/batch';
import { GpuOps } from '../engine/gpu-ops';
import { kernelWeights } from '../engine/resident';
import { parseModel, serializeModel, type LoadedModel } from '../model/format';
import { tokenize } from '../model/tokenizer';
import type { NeuronParams } from '../reference/neuron';
import { testGpu } from '../test-support/gpu';
import { characterVocabulary, encodeExamples } from './prepare';
import { RnnTrainer, type RnnConfig } from './rnn';
import { suBifRnnModel } from './rnn-bif';
import { centredMaxLogits } from './rnn-pipeline';
import { rnnLogits, trainRnn } from './rnn-run';

/**
 * Su et al.'s claim for recurrent layers, on real data (architecture §2.4): after conversion, the spike
 * count of every token-recurrent BIF neuron, each token in its own window, equals the quantised RNN
 * twin's integer activation, exactly. A small quantised RNN is trained on 400 real ChnSentiCorp
 * sentences over a frozen random character table (so the test needs no GloVe file), converted, and
 * run through the inference engine on the GPU.
 */
describe('lossless conversion of a quantised RNN to token-recurrent BIF neurons (real data)', () => {
  it('every spike count equals the quantised RNN activation, count for count', async () => {
    const dataset = await loadDataset('chnsenticorp');
    const prepared = characterVocabulary(dataset.train.slice(0, 400), 16, 1, 3);
    const train = encodeExamples(dataset.train.slice(0, 400), prepared);
    const config: RnnConfig = { dim: 16, hidden: 32, classes: 2, activation: { kind: 'quant', levels: 4 }, dropout: 0.2, centre: 0.5 };
    const ctx = await testGpu();
    const ops = new GpuOps(ctx);
    let model: LoadedModel;
    try {
      const settings = { seed: 1, epochs: 1, batchSize: 32, learningRate: 3e-3, tableLearningRate: 0, weightDecay: 0.01, maxTokens: 48 };
      const result = await trainRnn(ops, config, prepared.probabilities, train, [], settings);
      const trainer = new RnnTrainer(ops, config, result.parameters, prepared.probabilities, 32, 48);
      const maxLogits = centredMaxLogits(await rnnLogits(trainer, train.slice(0, 64), 32, 48), 2);
      const provenance = { name: 'test', description: '', command: 'test', dataset: 'chnsenticorp', split: 'given', seed: 1, notes: '' };
      const made = suBifRnnModel({ prepared, config, parameters: result.parameters, classes: dataset.classes, maxLogits, outputLevels: 64, maxTokens: 600, numSteps: 8, seed: 1, provenance, metrics: {} });
      const { configText, weightBytes } = serializeModel(made.config, made.weights);
      model = parseModel(configText, weightBytes);
    } finally {
      ops.dispose();
    }

    const ids = dataset.test.slice(0, 48).map((example) => model.vocabulary.encode(tokenize(example.text, 'chinese')).ids.subarray(0, 40));
    const batch = prepareBatch(ids, 1);
    const backend = new GpuBackend(ctx);
    const levels = 4;
    // The hidden windows settle in L − 1 = 3 steps; the output layer (64 levels) in up to 63 more.
    const base = { encoding: 'direct' as const, seed: 1, maxChunkPositions: 16 };
    const [settled, ann, hidden, short] = (
      await backend.run(model, batch, [
        { ...base, numSteps: 96, mode: 'snn' },
        { ...base, numSteps: 1, mode: 'ann' },
        { ...base, numSteps: levels - 1, mode: 'snn', record: { spikeLayers: ['rnn'] } },
        { ...base, numSteps: 4, mode: 'snn' },
      ])
    ).raws;
    // Output layer: spike counts = the twin's quantised outputs.
    expect([...settled.scores]).toEqual([...ann.scores]);
    expect(ann.scores.some((x) => x > 0)).toBe(true);
    const classes = 2;
    const argmax = (scores: ArrayLike<number>, b: number) => (scores[b * classes + 1] > scores[b * classes] ? 1 : 0);
    for (let b = 0; b < batch.batch; b++) expect(argmax(short.scores, b), `sample ${b}`).toBe(argmax(ann.scores, b));

    // Hidden layer: the twin's recurrence y_p = clamp(⌊z_p + U·y_{p−1} + ½⌋, 0, 3) on the same GPU.
    const H = config.hidden;
    const dim = model.spec.encoder.embeddingDim;
    const gpu = new GpuOps(ctx);
    const weights = kernelWeights(model.spec, model.weights);
    const upload = (role: string, data: Float32Array | Int32Array | Uint32Array) => gpu.upload(role, data);
    const encoded = gpu.allocate('encoded', batch.batch * batch.tokens * dim);
    gpu.encode({ kind: 'direct', seed: 1, shape: { numSteps: 1, batch: batch.batch, tokens: batch.tokens, dim }, tStart: 0, tCount: 1, positionOffset: 0, tokenIds: upload('ids', batch.tokenIds), probabilities: upload('p', model.probabilities), streamIds: upload('streams', batch.streamIds), output: encoded });
    const z = gpu.allocate('z', batch.batch * batch.tokens * H);
    gpu.conv({ shape: { rows: batch.batch, batch: batch.batch, tokens: batch.tokens, inChannels: dim, widths: [1], filters: H }, rowStart: 0, rowCount: batch.batch, input: encoded, weights: upload('w', weights.get('token_linear.weight')!), bias: null, lengths: upload('lengths', batch.lengths), output: z });
    const params: NeuronParams = { model: 'BIF', reset: 'soft', vThreshold: Float32Array.of(1), channels: H, beta: 1, vReset: 0, vInitFraction: 0.5, levels };
    const twin = gpu.allocate('twin', batch.batch * batch.tokens * H);
    gpu.tokenRecurrent({
      numSteps: 1,
      batch: batch.batch,
      positions: batch.tokens,
      hidden: H,
      params,
      x: z,
      recurrentWeights: upload('U', weights.get('rnn.recurrentWeight')!),
      validPositions: upload('valid', batch.lengths),
      carry: gpu.allocate('carry', batch.batch * H),
      continues: false,
      spikes: twin,
      layer: gpu.neuronLayer('twin', params, 1),
      activation: { kind: 'quant', step: 1, levels },
    });
    const [levelsOfTwin] = await gpu.read([{ tensor: twin, length: batch.batch * batch.tokens * H }]);
    gpu.dispose();
    const train3 = hidden.spikeTrains.get('rnn')!;
    let checked = 0;
    let spiking = 0;
    for (let b = 0; b < batch.batch; b++) {
      for (let q = 0; q < batch.lengths[b]; q++) {
        for (let h = 0; h < H; h++) {
          let count = 0;
          for (let t = 0; t < levels - 1; t++) count += train3.samples[b][(t * batch.tokens + q) * H + h];
          const expected = levelsOfTwin[(b * batch.tokens + q) * H + h];
          if (count !== expected) expect.fail(`sample ${b}, position ${q}, unit ${h}: ${count} spikes, quantised RNN ${expected}`);
          checked++;
          if (count > 0) spiking++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(spiking).toBeGreaterThan(checked / 20);
  }, 300_000);
});
