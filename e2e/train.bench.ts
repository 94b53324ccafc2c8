/**
 * Benchmark (not a test): SST-2's training split (6,920 sentences) trained in the page's Train view
 * (a lossless BIF TextCNN, 8 levels, 6 epochs: the CLI's defaults) against the same command in Node
 * with the same seed: time per epoch, dev accuracy, and test accuracy (`spikescope eval --file` on
 * SST-2's test split, for the zip the page downloads and for the Node folder), and whether the two
 * trained the same weights. Saves a screenshot of the finished training (e2e/screenshots/train-sst2.png).
 *
 * Run: npm run build && npx playwright test -c e2e/bench.config.ts e2e/train.bench.ts
 * (the data folder is ../shared/data, or SPIKESCOPE_DATA_DIR)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZip } from '../src/model/zip';
import { expect, saveScreenshot, test } from './app';

const DATA = process.env.SPIKESCOPE_DATA_DIR ?? join('..', 'shared', 'data');
const TRAIN = join(DATA, 'sst2', 'stsa.binary.train');
const TEST = join(DATA, 'sst2', 'stsa.binary.test');
const EPOCHS = 6;

function cli(args: string[]): string {
  return execFileSync('node', ['dist/cli/spikescope.js', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

function testAccuracy(model: string): { ann: number; snn: number } {
  const out = JSON.parse(cli(['eval', '--model', model, '--file', TEST, '--steps', '8', '--backend', 'cpu', '--json']));
  return { ann: out.ann.accuracy, snn: out.snn[0].accuracy };
}

test('SST-2 trained in the page against the same run in Node', async ({ page }, testInfo) => {
  test.setTimeout(3_600_000);
  if (!existsSync(TRAIN)) throw new Error(`no SST-2 at ${TRAIN}: set SPIKESCOPE_DATA_DIR to the data folder`);
  await page.goto('./?text=fine');
  await expect(page.locator('snn-app')).toHaveAttribute('data-result-text', 'fine', { timeout: 120_000 });
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.locator('snn-train-view input[type=file]').setInputFiles(TRAIN);
  await expect(page.getByTestId('unknown-share')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('knob-epochs').fill(String(EPOCHS));
  await page.getByTestId('knob-epochs').dispatchEvent('change');
  await page.getByTestId('train-name').fill('SST-2 in the browser');
  const started = Date.now();
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-result')).toBeVisible({ timeout: 3_000_000 });
  const browserWall = (Date.now() - started) / 1000;
  await page.getByTestId('train-result').evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await saveScreenshot(page, testInfo, 'train-sst2');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('train-download').click()]);
  const folder = mkdtempSync(join(tmpdir(), 'spikescope-bench-'));
  const zip = join(folder, 'browser.zip');
  await download.saveAs(zip);
  const entries = readZip(new Uint8Array(readFileSync(zip)));
  const browserConfig = JSON.parse(new TextDecoder().decode([...entries].find(([name]) => name.endsWith('model.json'))![1]));
  const browserWeights = [...entries].find(([name]) => name.endsWith('weights.safetensors'))![1];

  const nodeOut = join(folder, 'node');
  const nodeStarted = Date.now();
  cli(['train', '--file', TRAIN, '--out', nodeOut, '--epochs', String(EPOCHS), '--backend', 'cpu', '--name', 'SST-2 in Node']);
  const nodeWall = (Date.now() - nodeStarted) / 1000;
  const nodeConfig = JSON.parse(readFileSync(join(nodeOut, 'model.json'), 'utf8'));
  const sameWeights = Buffer.from(browserWeights).equals(readFileSync(join(nodeOut, 'weights.safetensors')));

  const perEpoch = (config: { metrics: { training: { history: { seconds: number }[] } } }) => {
    const history = config.metrics.training.history;
    return history.reduce((sum, record) => sum + record.seconds, 0) / history.length;
  };
  const rows = [
    ['browser (Train view)', browserConfig, browserWall, testAccuracy(zip)],
    ['Node (train --file)', nodeConfig, nodeWall, testAccuracy(nodeOut)],
  ] as const;
  console.log(`SST-2 train split (${TRAIN}), BIF TextCNN, 8 levels, ${EPOCHS} epochs, seed 1, 10 % seeded dev`);
  console.log('| where | backend | s per epoch | whole run s | dev SNN % | dev ANN % | test SNN % | test ANN % |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [where, config, wall, accuracy] of rows) {
    const dev = config.metrics.snn[0].accuracy;
    console.log(`| ${where} | ${config.metrics.backend} | ${perEpoch(config).toFixed(1)} | ${wall.toFixed(0)} | ${(100 * dev).toFixed(2)} | ${(100 * config.metrics.ann.accuracy).toFixed(2)} | ${(100 * accuracy.snn).toFixed(2)} | ${(100 * accuracy.ann).toFixed(2)} |`);
  }
  console.log(`browser / Node time per epoch: ${(perEpoch(browserConfig) / perEpoch(nodeConfig)).toFixed(2)}×; the same weights: ${sameWeights ? 'yes, byte for byte' : 'no'}`);
});
