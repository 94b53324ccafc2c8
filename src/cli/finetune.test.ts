import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModel, serializeModel } from '../model/format';
import { saveModelDir } from '../model/node-io';
import { makeRandomTextCnn } from '../model/random-model';
import { DEFAULT_SURROGATE } from '../reference/neuron-backward';
import { makeBatch } from '../train/batches';
import { CpuOps } from '../engine/cpu-ops';
import { checkTrainable, GraphTrainer } from '../train/graph-trainer';
import { describeError, UsageError } from './errors';
import { parseFinetuneFlags, runFinetune } from './finetune';

const words = ['good', 'bad', 'film', 'plot'];
const folders = { if: '', bif: '' };

beforeAll(async () => {
  for (const kind of ['if', 'bif'] as const) {
    folders[kind] = mkdtempSync(join(tmpdir(), `spikescope-finetune-${kind}-`));
    const { config, weights } = makeRandomTextCnn({ vocabulary: words, dim: 4, widths: [2, 3], filters: 3, classes: ['negative', 'positive'], seed: 1, neuronModel: kind === 'bif' ? 'BIF' : 'IF' });
    config.metrics = { dataset: 'mr' };
    await saveModelDir(folders[kind], config, weights);
  }
});

/** The one line the terminal shows for an error thrown by `finetune`. */
async function refusal(argv: string[]): Promise<{ error: Error; line: string }> {
  const error = await runFinetune(argv).then(
    () => expect.fail('finetune accepted bad input'),
    (caught: Error) => caught,
  );
  return { error, line: describeError(error) };
}

describe('spikescope finetune refuses bad input with one clear line', () => {
  it.each([
    ['no --model', ['--out', '/tmp/x'], /needs --model/],
    ['no --out', ['--model', 'm'], /needs --out/],
    ['--out equal to --model', ['--model', 'm', '--out', './m'], /--out must differ from --model/],
    ['an unknown flag', ['--model', 'm', '--out', 'o', '--bogus', '1'], /bogus/],
    ['a zero --steps', ['--model', 'm', '--out', 'o', '--steps', '0'], /--steps must be a whole number from 1/],
    ['a fractional --batch', ['--model', 'm', '--out', 'o', '--batch', '2.5'], /--batch must be a whole number/],
    ['a negative --lr', ['--model', 'm', '--out', 'o', '--lr=-1'], /--lr must be a number from 0 to 1/],
    ['a zero --lr', ['--model', 'm', '--out', 'o', '--lr', '0'], /--lr must be a number above 0/],
    ['an empty --epochs', ['--model', 'm', '--out', 'o', '--epochs', ''], /--epochs/],
    ['an unknown surrogate', ['--model', 'm', '--out', 'o', '--surrogate', 'sigmoid'], /--surrogate must be fast-sigmoid or piecewise-linear/],
    ['an unknown backend', ['--model', 'm', '--out', 'o', '--backend', 'tpu'], /--backend must be gpu, cpu, reference or auto/],
    ['a zero --rate-scale', ['--model', 'm', '--out', 'o', '--rate-scale', '0'], /--rate-scale must be a number from 0.01 to 1000/],
    ['an unknown schedule', ['--model', 'm', '--out', 'o', '--schedule', 'step'], /--schedule must be constant or cosine, got 'step'/],
    ['an unknown --keep', ['--model', 'm', '--out', 'o', '--keep', 'first'], /--keep must be best or last, got 'first'/],
    ['a --dropout of 1', ['--model', 'm', '--out', 'o', '--dropout', '1'], /--dropout must be a number from 0 to 0.95/],
  ])('%s', (_name, argv, message) => {
    expect(() => parseFinetuneFlags(argv)).toThrow(UsageError);
    expect(() => parseFinetuneFlags(argv)).toThrow(message);
  });

  it('defaults follow the paper: AdamW lr 1e-4, batch 32, fast-sigmoid surrogate of slope 25; T from the model', () => {
    const options = parseFinetuneFlags(['--model', 'm', '--out', 'o']);
    expect(options).toMatchObject({ learningRate: 1e-4, batchSize: 32, surrogate: { kind: 'fast-sigmoid', slope: 25 }, numSteps: undefined, backend: 'auto', trainLimit: 0 });
    expect(parseFinetuneFlags(['--model', 'm', '--out', 'o', '--surrogate', 'piecewise-linear', '--steps', '8']).surrogate).toEqual({ kind: 'piecewise-linear' });
    expect(options).toMatchObject({ rateScale: 1, schedule: 'constant', keep: 'best', dropout: 0 });
    expect(parseFinetuneFlags(['--model', 'm', '--out', 'o', '--keep', 'last']).keep).toBe('last');
    expect(parseFinetuneFlags(['--model', 'm', '--out', 'o', '--rate-scale', '5', '--schedule', 'cosine'])).toMatchObject({ rateScale: 5, schedule: 'cosine' });
  });

  it('a missing model folder is named', async () => {
    const { line } = await refusal(['--model', '/nonexistent/model', '--out', join(tmpdir(), 'unused')]);
    expect(line).toMatch(/nonexistent\/model/);
    expect(line.split('\n')).toHaveLength(1);
  });

  it('a BIF model is refused: its conversion is already exact', async () => {
    const { error, line } = await refusal(['--model', folders.bif, '--out', join(tmpdir(), 'unused')]);
    expect(error.name).toBe('UnsupportedNetworkError');
    expect(line).toMatch(/BIF .*nothing to fine-tune/);
  });

  it('buffers past the limit are refused before any data is read, naming the flags to lower', async () => {
    const { error, line } = await refusal(['--model', folders.if, '--out', join(tmpdir(), 'unused'), '--steps', '1000', '--batch', '4096', '--max-tokens', '512', '--data-dir', '/nonexistent/data']);
    expect(error.name).toBe('InputError');
    expect(line).toMatch(/floats per tensor, over the .* limit; lower --steps, --batch or --max-tokens/);
  });

  it('any network of trainable layers is accepted (here one without a convolution); one the trainer cannot train is refused with the layer named', async () => {
    const { config, weights } = makeRandomTextCnn({ vocabulary: words, dim: 4, widths: [2], filters: 3, classes: ['negative', 'positive'], seed: 1 });
    config.network.layers = config.network.layers.filter((layer) => layer.kind !== 'conv');
    (config.network.layers.find((layer) => layer.kind === 'linear') as { inFeatures: number }).inFeatures = 4;
    weights.delete('conv.w2');
    weights.set('fc.weight', new Float32Array(2 * 4).fill(0.5));
    const { configText, weightBytes } = serializeModel(config, weights);
    const model = parseModel(configText, weightBytes);
    const trainer = new GraphTrainer(new CpuOps(), model.spec, model.weights, model.probabilities, 4, 2, 8);
    const batch = makeBatch([{ ids: Int32Array.of(0, 2), label: 1 }, { ids: Int32Array.of(1, 3), label: 0 }], trainer.minLength, 8);
    const step = await trainer.trainStep(batch, 0, 1, { learningRate: 1e-2, weightDecay: 0, surrogate: DEFAULT_SURROGATE, detachReset: false });
    expect(Number.isFinite(step.loss)).toBe(true);
    const biased = makeRandomTextCnn({ vocabulary: words, dim: 4, widths: [2], filters: 3, classes: ['negative', 'positive'], seed: 1, bias: true });
    const saved = serializeModel(biased.config, biased.weights);
    expect(() => checkTrainable(parseModel(saved.configText, saved.weightBytes).spec)).toThrow(/layer conv has a bias/);
  });
});
