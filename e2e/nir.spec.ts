import { readFileSync } from 'node:fs';
import { expect, openApp, saveScreenshot, spikePixels, test } from './app';
import { compileNir } from '../src/nir/compile';
import { readNir } from '../src/nir/read';

test.describe('NIR graphs in the page', () => {
  test('an snnTorch graph opens as a graph, runs on Poisson input, shows rasters and a membrane', async ({ page }, testInfo) => {
    await openApp(page);
    await page.getByRole('tab', { name: 'NIR graphs' }).click();
    const view = page.locator('snn-nir-view');
    await view.getByRole('button', { name: 'snnTorch: recurrent CubaLIF' }).click();
    // The graph: the nodes snnTorch wrote, the recurrent edge dashed.
    await expect(view.getByRole('button', { name: /CubaLIF node 1\.lif, shape \[3\]/ })).toBeVisible({ timeout: 60_000 });
    await expect(view.locator('path.edge.recurrent')).toHaveCount(1);
    await view.getByRole('button', { name: /CubaLIF node 1\.lif/ }).click();
    await expect(view.getByLabel('Node details')).toContainText('tau_syn');
    await expect(view.getByLabel('Node details')).toContainText('w_in');
    // The run (started on opening): a raster with spikes, the membrane of a clicked neuron.
    await expect(view.getByRole('status').first()).toContainText(/100 steps of 0\.0001 s/, { timeout: 60_000 });
    const canvas = view.locator('canvas[data-path="1.lif"]');
    await expect(canvas).toBeVisible();
    expect(await spikePixels(canvas)).toBeGreaterThan(10);
    const box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.5);
    await expect(view.locator('snn-membrane')).toBeVisible();
    await view.getByRole('button', { name: 'Run' }).click();
    await expect(view.getByRole('button', { name: 'Run' })).toBeEnabled();
    await expect(view.getByRole('status').first()).toContainText(/steps of/);
    await view.locator('.graph').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, 90));
    await saveScreenshot(page, testInfo, 'nir-graph');
    await view.locator('snn-membrane').scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'nir-run');
    await page.setViewportSize({ width: 420, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await view.locator('.graph').scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'nir-graph-narrow');
  });

  test('a CSV of input spikes drives the graph; a bad file gets one line', async ({ page }) => {
    await openApp(page);
    await page.getByRole('tab', { name: 'NIR graphs' }).click();
    const view = page.locator('snn-nir-view');
    await view.getByRole('button', { name: 'snnTorch: Linear → LIF' }).click();
    await expect(view.getByRole('button', { name: /LIF node 1, shape \[3\]/ })).toBeVisible({ timeout: 60_000 });
    await view.getByLabel('or input spikes (CSV)').setInputFiles({ name: 'in.csv', mimeType: 'text/csv', buffer: readFileSync('fixtures/nir/snntorch-affine-lif.input.csv') });
    await view.getByRole('button', { name: 'Run' }).click();
    await expect(view.getByRole('status').first()).toContainText(/^50 steps of 0\.0001 s/);
    // snnTorch's own run of this input fired 37 spikes (fixtures/nir/snntorch-affine-lif.trace.json),
    // with its delayed subtraction, which the example selects.
    await expect(view.locator('.layer h3')).toContainText('37 spikes');
    await view.locator('input[type=file][accept^=".nir"]').setInputFiles({ name: 'notes.nir', mimeType: 'application/octet-stream', buffer: Buffer.from('not a graph at all') });
    await expect(page.getByTestId('nir-error')).toContainText('notes.nir is not a NIR file: it does not start with the HDF5 signature');
  });
});

test('the loaded text model is exported as a .nir file that reads back as its graph', async ({ page }) => {
  await openApp(page);
  await page.getByRole('tab', { name: 'NIR graphs' }).click();
  const view = page.locator('snn-nir-view');
  await view.getByLabel('Length (tokens)').fill('12');
  await view.getByLabel('Length (tokens)').dispatchEvent('change');
  const download = page.waitForEvent('download');
  await view.getByRole('button', { name: 'Export .nir' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/-n12\.nir$/);
  const graph = readNir(new Uint8Array(readFileSync((await file.path())!))).graph;
  const input = graph.nodes.get('input')!;
  expect(input.type === 'Input' && input.shape[1]).toBe(12);
  const program = compileNir(graph, { dt: 1e-4, reset: 'subtract' });
  expect(program.nodes.some((n) => n.type === 'IF' || n.type === 'LIF')).toBe(true);
  await expect(view.getByRole('status').last()).toContainText(/Saved .*-n12\.nir .* Over 12 positions; run with dt = 0\.0001 s and reset subtract/);
});
