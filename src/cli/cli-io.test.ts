/**
 * The built command line's output through pipes: nothing is lost when the reader is slower than
 * the writer, and a reader that stops early ends the command quietly. CPU backend only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModelDir } from '../model/node-io';
import { makeRandomTextCnn } from '../model/random-model';

const CLI = 'dist/cli/spikescope.js';
let folder = '';
let modelDir = '';

beforeAll(async () => {
  execFileSync('npx', ['vite', 'build', '-c', 'vite.cli.config.ts'], { stdio: 'ignore' });
  folder = mkdtempSync(join(tmpdir(), 'spikescope-cli-output-'));
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
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks), stderr }));
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
    const piped = await runPiped(args, TEXTS, 700);
    expect(piped.code).toBe(0);
    const lines = piped.stdout.toString('utf8').trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^300 text\(s\) in \d+ ms$/);
  }, 120_000);

  it('a reader that stops early ends the command without an error', async () => {
    const args = ['classify', '--model', modelDir, '--backend', 'cpu', '--steps', '4', '--json'];
    const piped = await runPiped(args, TEXTS, 0, 1000);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toMatch(/EPIPE|\n\s+at /);
  }, 120_000);

  it('an error still ends with its one line and exit code when output is piped', async () => {
    const piped = await runPiped(['classify', '--model', join(folder, 'nowhere'), 'good'], '', 300);
    expect(piped.code).toBe(1);
    expect(piped.stderr.trim().split('\n')).toHaveLength(1);
    expect(piped.stderr).toMatch(/^spikescope: .*nowhere: the model folder does not exist/);
  }, 120_000);
});
