import { expect, saveScreenshot, test, typeText, waitForResult } from './app';

const SENTENCE = 'a gripping , beautifully acted film that never lets go';

test.describe('a 420 px screen', () => {
  test('no tab scrolls the page sideways, and each is saved as a screenshot', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 420, height: 900 });
    await page.goto(`./?${new URLSearchParams({ model: 'models/mr-textcnn-bif' })}`);
    await expect(page.locator('snn-controls select#model')).toHaveValue('models/mr-textcnn-bif', { timeout: 60_000 });
    await typeText(page, SENTENCE);
    await waitForResult(page, SENTENCE);
    for (const [tab, name] of [['Spikes', 'spikes'], ['Energy', 'energy'], ['Batch', 'batch'], ['NIR graphs', 'nir'], ['Train', 'train']] as const) {
      await page.getByRole('tab', { name: tab }).click();
      if (name === 'train') {
        const rows = Array.from({ length: 40 }, (_, i) => `"${i % 2 ? "a warm , funny film" : "a dull , lifeless film"} number ${i}",${i % 2 ? "positive" : "negative"}`);
        await page.locator('snn-train-view input[type=file]').setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(`text,label\n${rows.join('\n')}\n`) });
        await expect(page.getByTestId('unknown-share')).toBeVisible({ timeout: 120_000 });
      }
      await page.waitForTimeout(300);
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
      expect(widths.page, `${tab}: the page is ${widths.page} px wide`).toBeLessThanOrEqual(420);
      if (name === 'energy') {
        // The chart is drawn at its own width: its labels keep their size.
        const label = (await page.locator('snn-energy-chart svg text.label').first().boundingBox())!;
        expect(label.height, 'energy chart label height').toBeGreaterThanOrEqual(10);
      }
      await page.locator('snn-tabs').scrollIntoViewIfNeeded();
      await saveScreenshot(page, testInfo, `narrow-${name}`);
    }
  });

  test('every model name fits its menu, at 1280 px and at 420 px', async ({ page }) => {
    for (const width of [1280, 420]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto('./');
      const select = page.locator('snn-controls select#model');
      await expect(select.locator('option').first()).toBeAttached({ timeout: 60_000 });
      const fit = await select.evaluate((element: HTMLSelectElement) => {
        const context = document.createElement('canvas').getContext('2d')!;
        context.font = getComputedStyle(element).font;
        const room = element.clientWidth - 36; // the arrow and the padding
        return Array.from(element.options).map((option) => ({ name: option.text, fits: context.measureText(option.text).width <= room }));
      });
      for (const option of fit) expect(option.fits, `"${option.name}" at ${width} px`).toBe(true);
    }
  });
});
