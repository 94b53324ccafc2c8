import { readFileSync } from 'node:fs';
import { app, expect, saveScreenshot, test, typeText, waitForResult } from './app';

interface IndexEntry {
  id: string;
  path: string;
  name: string;
  language: 'en' | 'zh';
  default?: boolean;
}
const shipped = (JSON.parse(readFileSync('public/models/index.json', 'utf8')) as { models: IndexEntry[] }).models;
const defaultModel = shipped.find((entry) => entry.default) ?? shipped[0];

test.describe('shipped models', () => {
  test('the app opens on the shipped default model, a trained one, and classifies with it', async ({ page }, testInfo) => {
    expect(defaultModel, 'public/models/index.json lists a model').toBeDefined();
    await page.goto('./');
    await expect(page.locator('snn-controls select#model')).toHaveValue(defaultModel.path, { timeout: 60_000 });
    const sentence = 'a gripping , beautifully acted film that never lets go';
    await typeText(page, sentence);
    await waitForResult(page, sentence);
    await expect(page.getByTestId('snn-label')).toHaveText(/^(negative|positive)$/);
    await expect(app(page)).not.toContainText('test only');
    await saveScreenshot(page, testInfo, 'default-model');
  });

  for (const entry of shipped) {
    test(`${entry.id} loads and classifies a sentence in its language`, async ({ page }) => {
      await page.goto(`./?${new URLSearchParams({ model: entry.path })}`);
      await expect(page.locator('snn-controls select#model')).toHaveValue(entry.path, { timeout: 60_000 });
      const sentence = entry.language === 'zh' ? '送餐太慢了，菜都凉了' : 'the plot is dull and the acting is worse';
      await typeText(page, sentence);
      await waitForResult(page, sentence);
      await expect(page.getByTestId('snn-label')).toHaveText(/\S/);
    });
  }
});
