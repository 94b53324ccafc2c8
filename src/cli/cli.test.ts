import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModelDir } from '../model/node-io';
import { writeZip } from '../model/zip';
import { makeRandomTextCnn } from '../model/random-model';

const CLI = 'dist/cli/spikescope.js';
let modelDir = '';

/** Runs the built CLI; returns exit code and the two streams. */
function cli(args: string[], input?: string | Buffer) {
  const result = spawnSync('node', [CLI, ...args], { input, encoding: 'utf8', timeout: 120_000 });
  const stderr = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('spikescope') || line.startsWith('usage'))
    .join('\n');
  return { code: result.status, stdout: result.stdout, stderr };
}

beforeAll(async () => {
  execFileSync('npx', ['vite', 'build', '-c', 'vite.cli.config.ts'], { stdio: 'ignore' });
  modelDir = mkdtempSync(join(tmpdir(), 'spikescope-cli-'));
  const words = 'the a film is good bad great boring and but not very fun dull story acting movie plot love hate it was'.split(' ');
  const { config, weights } = makeRandomTextCnn({ vocabulary: words, dim: 16, widths: [3, 4, 5], filters: 8, classes: ['negative', 'positive'], seed: 4 });
  await saveModelDir(modelDir, config, weights);
}, 120_000);

describe('spikescope classify', () => {
  it('--backend gpu, cpu (WebAssembly) and reference give the same label, scores and spike counts for the same seed', () => {
    const text = "it's a good film , but the plot was boring";
    const runs = ['gpu', 'cpu', 'reference'].map((backend) => {
      const { code, stdout } = cli(['classify', '--model', modelDir, '--backend', backend, '--steps', '16', '--seed', '7', '--json', text]);
      expect(code).toBe(0);
      return JSON.parse(stdout);
    });
    expect(runs.map((run) => run.backend)).toEqual(['gpu', 'cpu', 'cpu']);
    const [gpu, ...cpus] = runs.map((run) => run.results[0]);
    for (const cpu of cpus) {
      expect(gpu.label).toBe(cpu.label);
      expect(gpu.scores).toEqual(cpu.scores);
      expect(gpu.activity.map((a: { spikeCount: number }) => a.spikeCount)).toEqual(cpu.activity.map((a: { spikeCount: number }) => a.spikeCount));
      expect(gpu.energy.totals).toEqual(cpu.energy.totals);
    }
  });

  it('reads one text per line from standard input, and refuses binary junk in one line', () => {
    const text = Buffer.from('good film\n\n😀 电影 très bien\n\n');
    const { code, stdout } = cli(['classify', '--model', modelDir, '--backend', 'cpu', '--json'], text);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).results).toHaveLength(2);
    const junk = Buffer.concat([Buffer.from('good film\n'), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a]), Buffer.from('😀 电影 très bien\n\n')]);
    const refused = cli(['classify', '--model', modelDir, '--backend', 'cpu', '--json'], junk);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^spikescope: standard input is not text: it holds a NUL byte \(byte 13, line 2\)/);
  });

  it.each([
    ['an empty text', ['classify', '--model', 'MODEL', ''], /empty/],
    ['a missing model folder', ['classify', '--model', '/nonexistent/model', 'good'], /nonexistent/],
    ['an unknown flag', ['classify', '--model', 'MODEL', '--bogus', 'x'], /bogus/],
    ['a bad --steps', ['classify', '--model', 'MODEL', '--steps', '0', 'good'], /--steps/],
    ['an unknown command', ['frobnicate'], /unknown command/],
  ])('%s: one line on stderr, non-zero exit, no stack trace', (_name, args, message) => {
    const { code, stderr } = cli(args.map((arg) => (arg === 'MODEL' ? modelDir : arg)));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed model.json is named in a one-line error', () => {
    const broken = mkdtempSync(join(tmpdir(), 'spikescope-broken-'));
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'model.json'), '{"format": "spikescope-model", "version": 1, "network": ');
    writeFileSync(join(broken, 'weights.safetensors'), Buffer.alloc(16));
    const { code, stderr } = cli(['classify', '--model', broken, 'good']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/model\.json/);
    expect(stderr.split('\n')).toHaveLength(1);
  });

  it('a text of a million characters gets a one-line answer: a result or a clear limit', () => {
    const huge = `${'good film '.repeat(100_000)}\n`;
    const { code, stdout, stderr } = cli(['classify', '--model', modelDir, '--backend', 'cpu', '--json'], huge);
    expect(code).not.toBeNull();
    if (code === 0) expect(JSON.parse(stdout).results).toHaveLength(1);
    else expect(stderr).toMatch(/tokens; the limit is/);
  });
});

describe('spikescope train --file', () => {
  it('trains from a labelled file, writes a folder with its card, and the folder (or its zip) classifies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikescope-train-file-'));
    const rows = Array.from({ length: 120 }, (_, i) => `${i % 2 ? 'great' : 'awful'} film number ${i}\t${i % 2 ? 'up' : 'down'}`);
    writeFileSync(join(dir, 'votes.tsv'), `text\tlabel\n${rows.join('\n')}\n`);
    const out = join(dir, 'model');
    const { code, stdout } = cli(['train', '--file', join(dir, 'votes.tsv'), '--out', out, '--table', 'characters', '--epochs', '3', '--lr', '0.01', '--backend', 'cpu']);
    expect(code).toBe(0);
    expect(stdout).toContain('votes.tsv: 120 texts, a TSV table, classes down, up');
    expect(stdout).toMatch(/108 train \/ 12 dev/);
    expect(stdout).toMatch(/SNN T=\s+8: accuracy [\d.]+% \(agrees with ANN 100\.0%\)/);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toContain('train --file');
    expect(card).toContain('dev split (12 sentences)');
    // eval --file: the same texts, labels matched to the model's classes by name.
    const evaluated = JSON.parse(cli(['eval', '--model', out, '--file', join(dir, 'votes.tsv'), '--steps', '8', '--backend', 'cpu', '--json']).stdout);
    expect(evaluated.testSize).toBe(120);
    expect(evaluated.snn[0].agreementWithAnn).toBe(1);
    const folder = JSON.parse(cli(['classify', '--model', out, '--backend', 'cpu', '--json', 'great film']).stdout);
    expect(folder.results[0].label).toBe('up');
    // The zip the page downloads holds the same folder; the CLI reads it directly.
    const zip = join(dir, 'model.zip');
    const files = ['model.json', 'weights.safetensors', 'README.md'].map((name) => ({ name: `votes/${name}`, data: new Uint8Array(readFileSync(join(out, name))) }));
    writeFileSync(zip, writeZip(files));
    const zipped = JSON.parse(cli(['classify', '--model', zip, '--backend', 'cpu', '--json', 'great film']).stdout);
    expect(zipped.results[0].scores).toEqual(folder.results[0].scores);
  });

  it('refuses a file it cannot train on, and a mix of --file and --dataset, in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikescope-train-file-'));
    writeFileSync(join(dir, 'one.csv'), `text,label\n${Array.from({ length: 20 }, (_, i) => `s ${i},a`).join('\n')}\n`);
    const one = cli(['train', '--file', join(dir, 'one.csv'), '--out', join(dir, 'm')]);
    expect(one.code).not.toBe(0);
    expect(one.stderr).toMatch(/^spikescope: "one.csv": every text has the label "a"; a classifier needs at least two classes$/);
    const both = cli(['train', '--file', join(dir, 'one.csv'), '--dataset', 'mr', '--out', join(dir, 'm')]);
    expect(both.stderr).toContain('give --dataset or --file, not both');
    const other = cli(['train', '--file', join(dir, 'one.csv'), '--out', join(dir, 'm'), '--filters', '10']);
    expect(other.stderr).toContain('train --file does not take --filters');
    const unknown = cli(['eval', '--model', modelDir, '--file', join(dir, 'one.csv')]);
    expect(unknown.stderr).toMatch(/^spikescope: one.csv: text 1 has the label "a", which is none of the model's classes \(negative, positive\); every text needs one of them$/);
  });
});

describe('spikescope eval --split dev', () => {
  it("evaluates on the dev split training chose its epochs with (MR's seeded tenth of train), and never writes it to the card", () => {
    const model = 'public/models/mr-textcnn';
    const dev = cli(['eval', '--model', model, '--split', 'dev', '--steps', '4', '--limit', '20', '--backend', 'cpu']);
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain('on mr dev (20 sentences, first 20)');
    const json = JSON.parse(cli(['eval', '--model', model, '--split', 'dev', '--steps', '4', '--limit', '20', '--backend', 'cpu', '--json']).stdout);
    const test = JSON.parse(cli(['eval', '--model', model, '--steps', '4', '--limit', '20', '--backend', 'cpu', '--json']).stdout);
    expect(json).toMatchObject({ split: 'dev', testSize: 20 });
    expect(json.ann.accuracy === test.ann.accuracy && json.snn[0].accuracy === test.snn[0].accuracy && json.snn[0].energyPerSentence.snnMicrojoules === test.snn[0].energyPerSentence.snnMicrojoules).toBe(false);
    const write = cli(['eval', '--model', model, '--split', 'dev', '--write']);
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/^spikescope: --split dev compares settings on the dev split; --write, --baseline and --file are for the test split or your own texts\n/);
    expect(cli(['eval', '--model', model, '--split', 'train']).stderr).toContain("--split must be test or dev, got 'train'");
  });
});
