/**
 * What the browser tests share: a `test` whose worker writes the random test model into the built
 * site first, opening the app on that model, waiting for a result, reading canvas pixels through
 * shadow roots, and saving screenshots into e2e/screenshots/.
 */
import { test as base, expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTestModel, TEST_MODEL_URL } from './test-model';

/** Playwright's `test`, with the test model written before the first test of each worker. */
export const test = base.extend<object, { testModel: string }>({
  testModel: [
    async ({}, use) => {
      await use(await ensureTestModel());
    },
    { scope: 'worker', auto: true },
  ],
});
export { expect };

/** Opens the app on the test model with the given query parameters (text, steps, encoding, seed, backend). */
export async function openApp(page: Page, params: Record<string, string> = {}): Promise<void> {
  const query = new URLSearchParams({ model: TEST_MODEL_URL, ...params });
  await page.goto(`./?${query}`);
  await expect(page.locator('snn-controls select#model')).toHaveValue(TEST_MODEL_URL, { timeout: 60_000 });
}

/** The app element. */
export function app(page: Page): Locator {
  return page.locator('snn-app');
}

/** Waits until the result for exactly `text` is on screen (label, and the raster when the Spikes view is open). */
export async function waitForResult(page: Page, text: string, options: { raster?: boolean; timeout?: number } = {}): Promise<void> {
  const attribute = options.raster === false ? 'data-result-text' : 'data-rendered-text';
  await expect(app(page)).toHaveAttribute(attribute, text.slice(0, 200), { timeout: options.timeout ?? 120_000 });
  await expect(page.getByTestId('snn-label')).toHaveText(/\S/);
}

/** Types into the text field key by key, as a person does. */
export async function typeText(page: Page, text: string, delay = 0): Promise<void> {
  const field = page.getByLabel('Text', { exact: true });
  await field.fill('');
  await field.pressSequentially(text, { delay });
}

/**
 * Pixels of the raster canvas in the spike colour (blue clearly above red), read from the canvas
 * itself: proof that spikes were drawn, not only that an element exists.
 */
export async function spikePixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((element: HTMLCanvasElement) => {
    const { data } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i + 2] - data[i] > 40 && data[i + 2] > 100) count++;
    return count;
  });
}

/** Saves a screenshot of the page as e2e/screenshots/<name>.png (committed, shown in the README). */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<string> {
  const folder = join(testInfo.project.testDir, 'screenshots');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
