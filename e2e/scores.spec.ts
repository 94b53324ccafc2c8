import { expect, test, typeText, waitForResult } from './app';

const SENTENCE = 'a gripping , beautifully acted film that never lets go';

test.describe('scores that explain themselves', () => {
  test('a spike count capped by T says so, the lossless model matches its twin once T is long enough, and direct input is not called spikes', async ({ page }) => {
    await page.goto(`./?${new URLSearchParams({ model: 'models/mr-textcnn-bif', steps: '16' })}`);
    await expect(page.locator('snn-controls select#model')).toHaveValue('models/mr-textcnn-bif', { timeout: 60_000 });
    await typeText(page, SENTENCE);
    await waitForResult(page, SENTENCE);
    const annTop = Math.max(...(await page.locator('snn-result').evaluate((element) => ((element as unknown as { sample: { ann: { scores: number[] } } }).sample.ann.scores))));
    expect(annTop, 'this sentence drives the twin above what 16 steps can count').toBeGreaterThan(16);
    await expect(page.getByTestId('score-cap')).toContainText(`cannot exceed 16 at T = 16`);
    await expect(page.getByTestId('score-cap')).toContainText(`from T = ${Math.ceil(annTop)} on`);
    // The input layer of direct input: currents, not a fractional spike count.
    await page.locator('snn-spikes-view [data-layer="input"]').click();
    await expect(page.locator('snn-spikes-view .stat')).toContainText(/^analog input: current [\d,.]+ in all/);
    await page.locator('snn-controls #steps').fill('64');
    await expect(page.locator('snn-result')).toContainText('output spikes over T = 64', { timeout: 60_000 });
    await expect(page.locator('snn-result .pair')).not.toHaveClass(/computing/);
    await expect(page.getByTestId('score-cap')).toHaveCount(0);
    const scores = await page.locator('snn-result').evaluate((element) => {
      const sample = (element as unknown as { sample: { scores: number[]; ann: { scores: number[] } } }).sample;
      return { snn: sample.scores, ann: sample.ann.scores };
    });
    expect(scores.snn).toEqual(scores.ann.map((x) => Math.round(x)));
  });
});
