import { expect, saveScreenshot, spikePixels, test, typeText, waitForResult } from './app';

const MODEL = 'models/sst2-lite-snn';
const SENTENCE = 'the story is thin , but the acting is wonderful';

test.describe('LITE-SNN: neurons whose membrane carries the sentence', () => {
  test('the raster runs along the sentence and a neuron\'s membrane crosses every word', async ({ page }, testInfo) => {
    await page.goto(`./?${new URLSearchParams({ model: MODEL })}`);
    await expect(page.locator('snn-controls select#model')).toHaveValue(MODEL, { timeout: 60_000 });
    await typeText(page, SENTENCE);
    await waitForResult(page, SENTENCE);
    const view = page.locator('snn-spikes-view');
    await view.locator('[data-layer="words"]').click();
    await expect(view.locator('[data-layer="words"]')).toHaveText(/neurons over the words\s+words/);
    const canvas = page.locator('snn-raster canvas');
    await expect(canvas).toBeVisible();
    expect(await spikePixels(canvas)).toBeGreaterThan(20);
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.4);
    const tooltip = page.getByTestId('raster-tooltip');
    await expect(tooltip).toContainText(/words · neuron \d+/);
    await expect(tooltip).toContainText(/its membrane carried from word to word/);
    await expect(tooltip).toContainText(/word \d+ “[^”]+”, step \d of 4/);
    await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.4);
    const chart = page.getByTestId('membrane-chart');
    await expect(chart).toBeVisible({ timeout: 60_000 });
    // 10 words of 4 steps: the trace runs through all of them, each word marked.
    await expect(chart).toHaveAttribute('aria-label', /over 40 steps \(10 words of 4 steps\)/);
    await expect(chart.locator('line[stroke-dasharray="2 3"]')).toHaveCount(9);
    await expect(chart.locator('text', { hasText: 'story' }).or(chart.locator('text', { hasText: 'the' })).first()).toBeVisible();
    await saveScreenshot(page, testInfo, 'lite-snn');
  });
});
