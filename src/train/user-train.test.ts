import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../engine/backends';
import { CpuOps } from '../engine/cpu-ops';
import { WasmOps } from '../engine/wasm-ops';
import { loadModelDir } from '../model/node-io';
import { TestRandom } from '../test-support/random';
import type { EncodedExample } from './batches';
import { gloveVocabulary } from './glove-vocabulary';
import { vocabularyFromModel } from './prepare';
import { initialParameters, trainTextCnn, type TextCnnCheckpoint } from './run';
import type { TextCnnConfig } from './textcnn';
import { readTrainingFiles } from './user-data';
import { defaultUserSettings, finishUserModel, suggestedTable, trainUserModel, unknownWords, userTrainingData } from './user-train';

function toyTask(count: number): { table: Float32Array; examples: EncodedExample[] } {
  const random = new TestRandom(11);
  const table = random.floats(40 * 8, 0, 1);
  const examples = Array.from({ length: count }, (_, i) => {
    const ids = Int32Array.from({ length: random.integer(3, 9) }, () => random.integer(20, 40));
    ids[random.integer(0, ids.length)] = i % 2 ? random.integer(0, 10) : random.integer(10, 20);
    return { ids, label: i % 2 };
  });
  return { table, examples };
}

describe('training in steps', () => {
  it('a run stopped after an epoch and resumed from its checkpoint ends exactly where the whole run ends', async () => {
    const { table, examples } = toyTask(96);
    const config: TextCnnConfig = { dim: 8, widths: [2, 3], filters: 6, classes: 2, hidden: { kind: 'quant', levels: 4 }, pool: 'sum', dropout: 0.25, learnTable: true, minLength: 3, centre: 0.5 };
    const settings = { seed: 5, epochs: 3, batchSize: 16, learningRate: 0.01, tableLearningRate: 0.03, weightDecay: 0.01, maxTokens: 16 };
    const dev = examples.slice(0, 24);
    const ops = new CpuOps();
    const whole = await trainTextCnn(ops, config, table, examples, dev, settings);
    const checkpoints: TextCnnCheckpoint[] = [];
    const progress: number[] = [];
    // Stops in epoch 2: the hook throws before its third batch.
    await expect(
      trainTextCnn(ops, config, table, examples, dev, settings, () => {}, {
        onEpoch: (checkpoint) => void checkpoints.push(structuredClone(checkpoint)),
        onBatch: (p) => progress.push(p.epoch * 100 + p.batch),
        beforeBatch: async () => {
          if (progress.length === 8) throw new Error('stopped');
        },
      }),
    ).rejects.toThrow('stopped');
    expect(checkpoints).toHaveLength(1);
    expect(progress.slice(0, 7)).toEqual([101, 102, 103, 104, 105, 106, 201]);
    const resumed = await trainTextCnn(ops, config, table, examples, dev, settings, () => {}, { resume: checkpoints[0] });
    const strip = (history: typeof whole.history) => history.map(({ seconds: _, ...rest }) => rest);
    expect(strip(resumed.history)).toEqual(strip(whole.history));
    expect(resumed.bestEpoch).toBe(whole.bestEpoch);
    expect([...resumed.parameters.convWeight]).toEqual([...whole.parameters.convWeight]);
    expect([...resumed.parameters.fcWeight]).toEqual([...whole.parameters.fcWeight]);
    expect([...resumed.parameters.table]).toEqual([...whole.parameters.table]);
    expect(resumed.parameters.hiddenStep).toBe(whole.parameters.hiddenStep);
    // A checkpoint of another network is refused.
    const other = { ...config, filters: 5 };
    await expect(trainTextCnn(ops, other, table, examples, dev, settings, () => {}, { resume: checkpoints[0] })).rejects.toThrow(/does not match/);
    expect(initialParameters(config, table, 5).convWeight.length).toBe(checkpoints[0].state.tensors.find((t) => t.name === 'conv.weight')?.value.length);
  });
});

describe("a person's labelled texts", () => {
  it('train a lossless model (a learned character table) whose SNN predicts what its ANN twin predicts on dev', async () => {
    const words = ['好', '棒', '赞', '美', '差', '烂', '坏', '丑'];
    const random = new TestRandom(3);
    const text = Array.from({ length: 160 }, (_, i) => {
      const positive = i % 2 === 0;
      const mark = words[random.integer(positive ? 0 : 4, positive ? 4 : 8)];
      return `${positive ? 1 : 0}\t这个${mark}东西${'的了是'.slice(0, random.integer(0, 3))}`;
    }).join('\n');
    const set = readTrainingFiles([{ name: 'reviews.tsv', text }]);
    expect(suggestedTable(set.examples)).toBe('characters');
    const settings = { ...defaultUserSettings('su-bif', 'characters'), epochs: 3, learningRate: 0.01, name: 'toy' };
    const data = await userTrainingData(set, settings, () => Promise.reject(new Error('no GloVe for characters')));
    expect(data.train.length + data.dev.length).toBe(160);
    expect(unknownWords(data.dev, data.prepared).share).toBe(0);
    const ops = new WasmOps();
    const trained = await trainUserModel(ops, data, settings, { where: 'test', command: 'spikescope train --file reviews.tsv', source: 'reviews.tsv' });
    ops.dispose();
    const backend = createCpuBackend('cpu', 'test');
    const finished = await finishUserModel(trained.model, data, backend, 'toy');
    backend.dispose();
    const run = finished.evaluation.snn[0];
    expect(finished.evaluation.split).toBe('dev');
    expect(finished.evaluation.testSize).toBe(data.dev.length);
    expect(run.agreementWithAnn).toBe(1);
    expect(run.accuracy).toBe(finished.evaluation.ann.accuracy);
    expect(run.accuracy).toBeGreaterThan(0.8);
    expect(finished.card).toContain('On the reviews.tsv dev split');
    expect(finished.card).toContain('spikescope -- train --file reviews.tsv');
    expect(finished.model.config.metrics.split).toBe('dev');
  });

  it('English from the default model is the same vocabulary as from the GloVe file: words, table and firing probabilities', async () => {
    const fromModel = vocabularyFromModel(await loadModelDir('public/models/mr-textcnn-bif'), { clipSigmas: 3 });
    const fromFile = await gloveVocabulary(undefined, { clipSigmas: 3 });
    expect(fromModel.vocabulary.words).toEqual(fromFile.vocabulary.words);
    expect(fromModel.dim).toBe(100);
    expect(fromModel.stored!.quantScale).toBe(fromFile.stored!.quantScale);
    expect(fromModel.stored!.quantZero).toBe(fromFile.stored!.quantZero);
    expect(Buffer.from(fromModel.stored!.data.buffer).equals(Buffer.from(fromFile.stored!.data.buffer))).toBe(true);
    expect(fromModel.mean).toBe(fromFile.mean);
    expect(fromModel.std).toBe(fromFile.std);
    expect(Buffer.from(fromModel.probabilities.buffer).equals(Buffer.from(fromFile.probabilities.buffer))).toBe(true);
  }, 120_000);
});
