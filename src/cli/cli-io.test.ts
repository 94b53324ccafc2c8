/**
 * The built command line's standard input and output: nothing is lost when the reader is slower
 * than the writer, a reader that stops early ends the command quietly, input that is not text is
 * refused in one line, and so is a model that a command cannot take. CPU backend only.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModelDir } from '../model/node-io';
import { makeRandomTextCnn } from '../model/random-model';
import { TestRandom } from '../test-support/random';

const CLI = 'dist/cli/spikescope.js';
let folder = '';
let modelDir = '';

beforeAll(async () => {
  execFileSync('npx', ['vite', 'build', '-c', 'vite.cli.config.ts'], { stdio: 'ignore' });
  folder = mkdtempSync(join(tmpdir(), 'spikescope-cli-io-'));
  modelDir = join(folder, 'model');
  const words = 'the a film is good bad great boring and but not very fun dull story acting movie plot love hate it was'.split(' ');
  const { config, weights } = makeRandomTextCnn({ vocabulary: words, dim: 8, widths: [2, 3], filters: 4, classes: ['negative', 'positive'], seed: 4 });
  await saveModelDir(modelDir, config, weights);
}, 120_000);

/** Texts, one per line: enough that the JSON output is several times a pipe's 64 KB buffer. */
const TEXTS = Array.from({ length: 300 }, (_, i) => `a good film but the plot was boring ${i}`).join('\n') + '\n';

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the CLI with `input` on stdin and stdout into a pipe that this side leaves unread for
 * `delayMs` (a slow reader), then reads to the end; or stops reading after `stopAfter` bytes.
 */
function runPiped(args: string[], input: string, delayMs: number, stopAfter = Infinity): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let received = 0;
    let stderr = '';
    child.stdout.pause();
    setTimeout(() => {
      child.stdout.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= stopAfter) child.stdout.destroy();
      });
      child.stdout.resume();
    }, delayMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    // Done when the process has exited and its output has been read to the end (after the delay).
    let code: number | null | undefined;
    let ended = false;
    const finish = () => {
      if (code !== undefined && ended) resolve({ code, stdout: Buffer.concat(chunks), stderr });
    };
    child.on('exit', (status) => {
      code = status;
      finish();
    });
    child.stdout.on('end', () => {
      ended = true;
      finish();
    });
    child.stdout.on('close', () => {
      ended = true;
      finish();
    });
    child.stdin.end(input);
  });
}

/** Runs the CLI with stdout written straight into a file. */
function runToFile(args: string[], input: string, file: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const fd = openSync(file, 'w');
    const child = spawn('node', [CLI, ...args], { stdio: ['pipe', fd, 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(fd);
      resolve(code);
    });
    child.stdin!.end(input);
  });
}

/** The output without its run times, which differ from run to run. */
function withoutTimings(text: string): unknown {
  const json = JSON.parse(text);
  delete json.timings;
  return json;
}

describe('spikescope output through a pipe', () => {
  it('classify --json into a slow reader gives the same output as into a file', async () => {
    const args = ['classify', '--model', modelDir, '--backend', 'cpu', '--steps', '4', '--seed', '3', '--json'];
    const file = join(folder, 'out.json');
    expect(await runToFile(args, TEXTS, file)).toBe(0);
    const expected = readFileSync(file);
    expect(expected.length).toBeGreaterThan(256 * 1024);
    const piped = await runPiped(args, TEXTS, 700);
    expect(piped.code).toBe(0);
    // The run time is the only thing that differs: same lines, same results, about the same size.
    expect(piped.stdout.toString('utf8').split('\n').length).toBe(expected.toString('utf8').split('\n').length);
    expect(withoutTimings(piped.stdout.toString('utf8'))).toEqual(withoutTimings(expected.toString('utf8')));
    expect(Math.abs(piped.stdout.length - expected.length)).toBeLessThan(64);
    expect(JSON.parse(piped.stdout.toString('utf8')).results).toHaveLength(300);
  }, 120_000);

  it('the text output is complete too', async () => {
    const args = ['classify', '--model', modelDir, '--backend', 'cpu', '--steps', '4'];
    const piped = await runPiped(args, TEXTS.repeat(3), 700);
    expect(piped.code).toBe(0);
    expect(piped.stdout.length).toBeGreaterThan(256 * 1024);
    const lines = piped.stdout.toString('utf8').trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^900 text\(s\) in \d+ ms$/);
  }, 120_000);

  it('a reader that stops early ends the command without an error', async () => {
    const args = ['classify', '--model', modelDir, '--backend', 'cpu', '--steps', '4', '--json'];
    const piped = await runPiped(args, TEXTS, 0, 1000);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toMatch(/EPIPE|\n\s+at /);
  }, 120_000);

  it('a reader that stops early does not stop a command that writes files: train --file finishes its model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikescope-pipe-train-'));
    const rows = Array.from({ length: 60 }, (_, i) => `${i % 2 ? 'good' : 'bad'} thing ${i}\t${i % 2}`);
    writeFileSync(join(dir, 'f.tsv'), `text\tlabel\n${rows.join('\n')}\n`);
    const out = join(dir, 'model');
    const piped = await runPiped(['train', '--file', join(dir, 'f.tsv'), '--out', out, '--table', 'characters', '--epochs', '2', '--backend', 'cpu'], '', 0, 10);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(existsSync(join(out, 'model.json')) && existsSync(join(out, 'weights.safetensors')) && existsSync(join(out, 'README.md'))).toBe(true);
  }, 120_000);

  it('an error still ends with its one line and exit code when output is piped', async () => {
    const piped = await runPiped(['classify', '--model', join(folder, 'nowhere'), 'good'], '', 300);
    expect(piped.code).toBe(1);
    expect(piped.stderr.trim().split('\n')).toHaveLength(1);
    expect(piped.stderr).toMatch(/^spikescope: .*nowhere: the model folder does not exist/);
  }, 120_000);
});

/** Runs the CLI to the end with `input` on stdin. */
function run(args: string[], input: Buffer | string): Run {
  const result = spawnSync('node', [CLI, ...args], { input, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}

/** `count` seeded pseudo-random bytes. */
function randomBytes(count: number, seed: number): Buffer {
  const random = new TestRandom(seed);
  return Buffer.from(Uint8Array.from({ length: count }, () => random.integer(0, 256)));
}

describe('spikescope classify: standard input that is not text', () => {
  const args = () => ['classify', '--model', modelDir, '--backend', 'cpu', '--steps', '4', '--json'];

  it.each([
    ['64 KB of random bytes', () => randomBytes(65536, 11), /^spikescope: standard input is not text: it holds a NUL byte \(byte \d+, line \d+\); pipe UTF-8 text, one text per line$/],
    ['text with NUL bytes', () => Buffer.from('good film\nbad\u0000 film\n'), /^spikescope: standard input is not text: it holds a NUL byte \(byte 14, line 2\)/],
    ['random bytes without NUL', () => Buffer.from(randomBytes(65536, 12).filter((b) => b !== 0)), /^spikescope: standard input is not UTF-8 text \(byte \d+ is 0x[0-9A-F]{2}, line \d+\); convert it to UTF-8/],
    ['Latin-1 text', () => Buffer.from([...Buffer.from('good film\ntr'), 0xe8, ...Buffer.from('s bien\n')]), /^spikescope: standard input is not UTF-8 text \(byte 13 is 0xE8, line 2\)/],
  ])('%s: refused in one line with exit code 1, nothing classified', (_name, input, message) => {
    const result = run(args(), input());
    expect(result.code).toBe(1);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(message);
  });

  it('UTF-8 text in any script, with a byte-order mark and CRLF line ends, is classified line by line', () => {
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('good film\r\n😀 电影 très bien\n\n\tbad plot\n')]);
    const result = run(args(), text);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.toString('utf8')).results.map((r: { text: string }) => r.text)).toEqual(['good film', '😀 电影 très bien', '\tbad plot']);
  });
});

describe('spikescope convert: a model it cannot take', () => {
  it('a BIF model gets a one-line error that says what to do, not an internal error', async () => {
    const bif = join(folder, 'bif');
    const words = 'the a film is good bad'.split(' ');
    const { config, weights } = makeRandomTextCnn({ vocabulary: words, dim: 4, widths: [2], filters: 2, classes: ['negative', 'positive'], seed: 2, neuronModel: 'BIF' });
    config.metrics = { dataset: 'mr', conversion: { method: 'su-bif' } };
    await saveModelDir(bif, config, weights);
    const result = run(['convert', '--model', bif, '--out', join(folder, 'converted'), '--backend', 'cpu'], '');
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.stderr).toMatch(/is a BIF model made by 'train --method su-bif'; convert re-balances only the IF TextCNN made by 'spikescope train --method lv-if'.*train again with 'spikescope train --method su-bif'/);
  }, 60_000);
});
