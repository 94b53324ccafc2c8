import { expect, test } from './app';

/** The Encoding menu's options as they read. */
async function encodingOptions(page: import('@playwright/test').Page): Promise<string[]> {
  return page.locator('snn-controls select#encoding option').allTextContents();
}

test.describe('the Encoding menu says which input each model was made for', () => {
  test('the lossless BIF model marks rate input, and choosing it warns that the SNN stops matching its twin', async ({ page }) => {
    await page.goto(`./?${new URLSearchParams({ model: 'models/mr-textcnn-bif' })}`);
    await expect(page.locator('snn-controls select#model')).toHaveValue('models/mr-textcnn-bif', { timeout: 60_000 });
    await expect.poll(() => encodingOptions(page)).toEqual(['Rate · not this model’s', 'Direct (at step 0) · this model’s']);
    await expect(page.getByTestId('encoding-warning')).toHaveCount(0);
    await page.locator('snn-controls select#encoding').selectOption('rate');
    await expect(page.getByTestId('encoding-warning')).toContainText('converted losslessly for direct input at step 0');
    await expect(page.getByTestId('encoding-warning')).toContainText('no longer computes what its ANN twin does');
  });

  test('the binary-input model names its input binary spikes, and the IF model says both inputs are on its card', async ({ page }) => {
    await page.goto(`./?${new URLSearchParams({ model: 'models/sst2-textcnn-binary' })}`);
    await expect(page.locator('snn-controls select#model')).toHaveValue('models/sst2-textcnn-binary', { timeout: 60_000 });
    await expect.poll(() => encodingOptions(page)).toEqual(['Binary spikes · this model’s', 'Direct (at step 0) · not this model’s']);
    await expect(page.locator('snn-controls select#encoding')).toHaveValue('rate');
    await page.goto(`./?${new URLSearchParams({ model: 'models/mr-textcnn' })}`);
    await expect(page.locator('snn-controls select#model')).toHaveValue('models/mr-textcnn', { timeout: 60_000 });
    await expect.poll(() => encodingOptions(page)).toEqual(['Rate · this model’s', 'Direct · also on its card']);
    await expect(page.locator('snn-controls select#model option:checked')).toHaveText('MR TextCNN · IF, Lv et al.');
    await expect(page.getByTestId('encoding-warning')).toHaveCount(0);
  });
});
