import type { Page } from '@playwright/test';
import { app, expect, test, typeText, waitForResult } from './app';
import { TEST_MODEL_URL, TEST_MODEL_ZH_URL } from './test-model';

/** Serves a models/index.json of our choosing (the built site ships whatever public/models lists). */
async function serveIndex(page: Page, models: object[]): Promise<void> {
  await page.route('**/models/index.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ models }) }));
}

const ENGLISH = { id: 'test-random', path: TEST_MODEL_URL, name: 'Random English', language: 'en' };
const CHINESE = { id: 'test-random-zh', path: TEST_MODEL_ZH_URL, name: 'Random Chinese', language: 'zh' };

test.describe('models', () => {
  test('every listed model can be chosen, English and Chinese, starting with the default', async ({ page }) => {
    await serveIndex(page, [ENGLISH, { ...CHINESE, default: true }]);
    await page.goto('./');
    const picker = page.locator('snn-controls select#model');
    await expect(picker).toHaveValue(TEST_MODEL_ZH_URL, { timeout: 60_000 });
    await expect(picker.locator('optgroup[label="English"] option')).toHaveText(['Random English']);
    await expect(picker.locator('optgroup[label="Chinese"] option')).toHaveText(['Random Chinese']);
    await typeText(page, '这家店的菜很好吃');
    await waitForResult(page, '这家店的菜很好吃');
    await expect(page.locator('snn-token-strip [role="listitem"]')).toHaveCount(8);
    await typeText(page, 'the food was great');
    await expect(page.getByTestId('classify-error')).toContainText('the model reads Chinese');
    await picker.selectOption(TEST_MODEL_URL);
    await waitForResult(page, 'the food was great');
    await expect.poll(() => new URL(page.url()).searchParams.get('model')).toBe(TEST_MODEL_URL);
  });

  test('without a default mark the first listed model opens', async ({ page }) => {
    await serveIndex(page, [ENGLISH, CHINESE]);
    await page.goto('./?text=fine');
    await expect(page.locator('snn-controls select#model')).toHaveValue(TEST_MODEL_URL, { timeout: 60_000 });
    await waitForResult(page, 'fine');
  });

  test('with no model shipped, the page says so plainly', async ({ page }) => {
    await serveIndex(page, []);
    await page.goto('./');
    await expect(page.getByTestId('no-model')).toContainText('No model to run');
    await expect(page.getByTestId('no-model')).toContainText('models/index.json lists none');
    await expect(app(page)).not.toHaveAttribute('data-result-text');
  });

  test('switching to a Chinese model with English text offers its Chinese examples, says so once, and an example chosen by keyboard keeps the focus', async ({ page }) => {
    await serveIndex(page, [{ ...ENGLISH, default: true }, CHINESE]);
    await page.goto('./');
    const picker = page.locator('snn-controls select#model');
    await expect(picker).toHaveValue(TEST_MODEL_URL, { timeout: 60_000 });
    await typeText(page, 'the food was great');
    await waitForResult(page, 'the food was great');
    await picker.selectOption(TEST_MODEL_ZH_URL);
    const problem = page.getByTestId('classify-error');
    await expect(problem).toContainText('the model reads Chinese');
    await expect(problem).toContainText('Another language?');
    await expect(problem).not.toContainText('?.');
    const examples = page.locator('snn-text-input .examples');
    await expect(examples).toContainText('Try one in Chinese');
    const chip = examples.getByRole('button', { name: '送餐太慢了，菜都凉了' });
    await chip.focus();
    await page.keyboard.press('Enter');
    await waitForResult(page, '送餐太慢了，菜都凉了');
    await expect(problem).toHaveCount(0);
    // The chips went away with the example; the caret went to the text, not to the page.
    expect(await page.evaluate(() => document.activeElement?.tagName.toLowerCase())).toBe('snn-app');
    expect(await page.locator('snn-text-input').evaluate((element) => element.shadowRoot!.activeElement?.tagName.toLowerCase())).toBe('textarea');
  });
});
