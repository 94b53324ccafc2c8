import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, openApp, saveScreenshot, test, waitForResult } from './app';
import { TEST_MODEL_DIR } from './test-model';

const TEXT = 'a gorgeous , witty and touching film';
const SEED = 3;
const STEPS = 16;

/** The CLI's energy totals for the same model, text, steps and seed. */
function cliTotals(): Record<string, number> {
  const output = execFileSync(
    'npm',
    ['run', '-s', 'spikescope', '--', 'classify', '--model', TEST_MODEL_DIR, '--json', '--seed', String(SEED), '--steps', String(STEPS), '--encoding', 'rate', TEXT],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(output.slice(output.indexOf('{'))).results[0].energy.totals;
}

test.describe('energy', () => {
  test('the energy table’s totals equal the CLI’s for the same text and seed', async ({ page }, testInfo) => {
    const expected = cliTotals();
    await openApp(page, { text: TEXT, seed: String(SEED), steps: String(STEPS), encoding: 'rate' });
    await waitForResult(page, TEXT);
    await page.getByRole('tab', { name: 'Energy' }).click();
    const totals = page.getByTestId('energy-totals');
    await expect(totals).toBeVisible();
    const shown = async (field: string) => Number(await totals.locator(`[data-field="${field}"]`).getAttribute('data-value'));
    for (const field of ['annMacs', 'annAcs', 'snnAcs', 'snnMacs']) expect(await shown(field), field).toBe(expected[field]);
    for (const field of ['annEnergyPicojoules', 'snnEnergyPicojoules']) expect(await shown(field), field).toBeCloseTo(expected[field], 3);
    console.log(`[energy] page and CLI agree: SNN ${expected.snnAcs} ACs, ANN ${expected.annMacs} MACs`);
    await expect(page.getByTestId('energy-ratio')).toHaveText(/×$/);
    await expect(page.getByTestId('energy-explanation')).toHaveText(/SNN/);
    await expect(page.getByTestId('energy-chart')).toBeVisible();
    await expect(page.getByTestId('card-empty')).toContainText('no card metrics');
    await saveScreenshot(page, testInfo, 'energy');
  });

  test('editing E_MAC and E_AC re-prices the same counts', async ({ page }) => {
    await openApp(page, { text: TEXT, seed: String(SEED), steps: String(STEPS) });
    await waitForResult(page, TEXT);
    await page.getByRole('tab', { name: 'Energy' }).click();
    const totals = page.getByTestId('energy-totals');
    const value = async (field: string) => Number(await totals.locator(`[data-field="${field}"]`).getAttribute('data-value'));
    const snnAcs = await value('snnAcs');
    const snnMacs = await value('snnMacs');
    await page.getByLabel(/^E\s?MAC \(pJ\)$/).fill('2');
    await page.getByLabel(/^E\s?AC \(pJ\)$/).fill('0.5');
    await expect.poll(() => value('snnEnergyPicojoules')).toBeCloseTo(snnMacs * 2 + snnAcs * 0.5, 3);
    expect(await value('snnAcs')).toBe(snnAcs);
    await page.getByRole('button', { name: '45 nm defaults' }).click();
    await expect.poll(() => value('snnEnergyPicojoules')).toBeCloseTo(snnMacs * 4.6 + snnAcs * 0.9, 3);
    // The presets: 8-bit integers, then float with every memory access priced (and counted in the table).
    await page.getByTestId('energy-preset').selectOption('int45');
    await expect.poll(() => value('snnEnergyPicojoules')).toBeCloseTo(snnMacs * 0.3 + snnAcs * 0.1, 3);
    await expect(page.getByTestId('energy-source')).toContainText('8-bit multiply 0.2 pJ');
    await page.getByTestId('energy-preset').selectOption('float45-memory');
    await expect(page.getByTestId('energy-memory')).toBeChecked();
    const accesses = await value('snnMemory');
    expect(accesses).toBeGreaterThan(snnAcs);
    expect(await value('snnEnergyPicojoules')).toBeGreaterThan(snnMacs * 4.6 + snnAcs * 0.9 + 10 * accesses - 1);
    await expect(page.getByTestId('energy-source')).toContainText('Lemaire');
    // Every energy explains itself: its cell's title is the sum that made it.
    const sum = await page.getByTestId('energy-table').locator('tbody td[title*="memory accesses"]').first().getAttribute('title');
    expect(sum).toMatch(/MACs × 4\.6 pJ \+ [\d,]+ ACs × 0\.9 pJ \+ [\d,]+ memory accesses × [\d.]+ pJ \(a memory of [\d.]+ KB\) = /);
    // A neuromorphic chip at its maker's figures: the SNN's operations at Loihi's prices, the ANN with its memory.
    const annWithMemory = await value('annEnergyPicojoules');
    await page.getByTestId('energy-preset').selectOption('loihi');
    await expect(page.getByTestId('energy-source')).toContainText('Published by the vendor');
    await expect.poll(() => value('annEnergyPicojoules')).toBeCloseTo(annWithMemory, 3);
    const chipSum = await page.getByTestId('energy-table').locator('tbody td[title*="synaptic operations ×"]').first().getAttribute('title');
    expect(chipSum).toMatch(/^[\d,]+ synaptic operations × 23\.6 pJ \+ [\d,]+ neuron updates × 52 pJ \+ [\d,]+ spikes × 1\.7 pJ/);
    expect(await value('snnEnergyPicojoules')).toBeGreaterThan(23.6 * 0.5 * snnAcs);
  });

  test("NeuroBench's metrics of the inference: effective operations equal the table's SNN counts", async ({ page }) => {
    await openApp(page, { text: TEXT, seed: String(SEED), steps: String(STEPS) });
    await waitForResult(page, TEXT);
    await page.getByRole('tab', { name: 'Energy' }).click();
    const totals = page.getByTestId('energy-totals');
    const value = async (field: string) => Number(await totals.locator(`[data-field="${field}"]`).getAttribute('data-value'));
    const nb = page.getByTestId('neurobench');
    const acs = await value('snnAcs');
    const dense = (await value('annMacs')) + (await value('annAcs'));
    await expect(nb).toContainText(`effective synaptic operations ${Math.round(acs).toLocaleString('en-US')} ACs`);
    await expect(nb).toContainText(`dense ${Math.round(dense).toLocaleString('en-US')}`);
    await expect(nb).toContainText(/activation sparsity 0\.\d{3}/);
    // Each figure explains itself on hover: the sparsity by layer, the footprint from the card.
    await expect(nb.getByTestId('activation-sparsity')).toHaveAttribute('title', /By layer: \w+ [01]\.\d{3} \([\d,]+ spikes in [\d,]+ neuron-steps\)/);
  });

  test('the energy chart can show the small layers on a logarithmic scale', async ({ page }) => {
    await openApp(page, { text: TEXT, seed: String(SEED), steps: String(STEPS) });
    await waitForResult(page, TEXT);
    await page.getByRole('tab', { name: 'Energy' }).click();
    const chart = page.getByTestId('energy-chart');
    const widths = () => chart.locator('rect').evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('width'))));
    const linear = await widths();
    await page.getByLabel('logarithmic scale (shows the small layers)').check();
    await expect(chart).toHaveAttribute('aria-label', /logarithmic scale/);
    const log = await widths();
    // The smallest bars grow; the largest stays the largest.
    expect(Math.min(...log.filter((w) => w > 0))).toBeGreaterThan(Math.min(...linear.filter((w) => w > 0)));
    expect(Math.max(...log)).toBeCloseTo(Math.max(...linear), 0);
  });

  test('when the SNN costs more, the panel says so', async ({ page }) => {
    await openApp(page, { text: TEXT, seed: String(SEED), steps: '64', encoding: 'rate' });
    await waitForResult(page, TEXT);
    await page.getByRole('tab', { name: 'Energy' }).click();
    const ratio = Number((await page.getByTestId('energy-ratio').textContent())!.replace('×', ''));
    expect(ratio).toBeGreaterThan(1);
    await expect(page.getByTestId('energy-explanation')).toContainText('the SNN costs more than the ANN');
  });

  test('the model card’s accuracy and energy by T are shown when the card has them', async ({ page }, testInfo) => {
    // The random test model has no card; this one is given a card in the trainer's schema on its way to the page.
    await page.route('**/models/test-random/model.json', async (route) => {
      const config = await (await route.fetch()).json();
      config.metrics = {
        dataset: 'sst2 (illustrative card, random model)',
        split: 'test',
        testSize: 1821,
        ann: { accuracy: 0.8125 },
        footprint: { parameters: 6_530_000, bytes: 6_900_000, connectionSparsity: 0.001 },
        // T, accuracy, SNN µJ under 45 nm float and under Loihi (the ANN: 36.3 and 1200 µJ).
        snn: ([[4, 0.701, 12.1, 150], [16, 0.774, 48.5, 600], [50, 0.79, 151.6, 1800]] as const).map(([numSteps, accuracy, snn, loihi]) => ({
          numSteps,
          encoding: 'rate',
          accuracy,
          energyPerSentence: { annMicrojoules: 36.3, snnMicrojoules: snn },
          presets: { loihi: { annMicrojoules: 1200, snnMicrojoules: loihi, ratio: loihi / 1200 } },
          firingRates: { conv_spike: 0.12 },
        })),
      };
      await route.fulfill({ json: config });
    });
    await openApp(page, { text: TEXT, steps: '16' });
    await waitForResult(page, TEXT);
    await page.getByRole('tab', { name: 'Energy' }).click();
    const rows = page.getByTestId('card-table').locator('tbody tr');
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(1)).toContainText('77.4 %');
    await expect(rows.nth(1)).toHaveClass(/current/);
    await expect(rows.nth(1).locator('td').nth(2)).toHaveAttribute('title', /^SNN 77\.\d\d % at T = 16, rate input/);
    await expect(rows.nth(1).locator('td').nth(5)).toHaveAttribute('title', / µJ ÷ .* µJ = /);
    await expect(page.getByTestId('footprint')).toHaveAttribute('title', /connection sparsity 0\.0010/);
    await expect(page.getByTestId('footprint')).toContainText('footprint 6,530,000 values, 6.90 MB');
    // The table follows the energy preset where the card has its figures, and says when it has not.
    await page.getByTestId('energy-preset').selectOption('loihi');
    await expect(rows.nth(1)).toContainText('1200.00');
    await expect(rows.nth(1)).toContainText('0.50×');
    await expect(rows.nth(2)).toContainText('1.5×');
    await expect(page.locator('snn-model-card')).toContainText('Energies under “Loihi (vendor figures)”.');
    await page.getByTestId('energy-preset').selectOption('int45');
    await expect(page.locator('snn-model-card')).toContainText('Energies under “45 nm, 32-bit float” (the card has no figures for the chosen preset)');
    await expect(rows.nth(0)).toContainText('0.33×');
    await expect(rows.nth(2)).toContainText('4.2×');
    await expect(page.locator('snn-model-card')).toContainText('ANN accuracy 81.3 %');
    await page.locator('snn-model-card').scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'energy-card');
  });

  test('the explorer plots every shipped model of the dataset: accuracy against energy, the Pareto front, the paper, this sentence', async ({ page }, testInfo) => {
    const explorer = JSON.parse(readFileSync('public/models/explorer.json', 'utf8')) as { points: { dataset: string; model: string; ann: boolean }[] };
    const mr = explorer.points.filter((p) => p.dataset === 'mr');
    await page.goto(`./?model=models/mr-textcnn-bif&text=${encodeURIComponent(TEXT)}&steps=8`);
    await waitForResult(page, TEXT, { raster: false });
    await page.getByRole('tab', { name: 'Energy' }).click();
    const plot = page.getByTestId('explorer');
    await expect(plot).toBeVisible();
    await expect(plot.getByTestId('explorer-point')).toHaveCount(mr.filter((p) => !p.ann).length);
    await expect(plot.getByTestId('explorer-paper')).toHaveCount(1);
    await expect(plot.getByTestId('explorer-front')).toHaveCount(1);
    // The card has T = 8 with direct input: this sentence is a live point of the model.
    await expect(plot.getByTestId('explorer-live')).toHaveCount(1);
    await expect(plot.getByTestId('explorer-point').first().locator('title')).toContainText('on the test split');
    const before = await plot.getByTestId('explorer-live').locator('circle').getAttribute('cx');
    await page.getByTestId('energy-preset').selectOption('float45-memory');
    await expect(page.locator('snn-explorer')).toContainText('45 nm float + memory');
    await expect.poll(() => plot.getByTestId('explorer-live').locator('circle').getAttribute('cx')).not.toBe(before);
    await page.getByTestId('explorer-dataset').selectOption('sst5');
    await expect(plot.getByTestId('explorer-live')).toHaveCount(0);
    await expect(plot).toHaveAttribute('aria-label', /SST-5/);
    await page.getByTestId('explorer-dataset').selectOption('mr');
    await page.locator('snn-explorer').scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'energy-explorer');
  });
});
