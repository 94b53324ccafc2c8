import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, openApp, saveScreenshot, test, waitForResult } from './app';

const REVIEWS = join('e2e', 'fixtures', 'reviews.tsv');

test.describe('batch', () => {
  test.beforeEach(async ({ page }) => {
    await openApp(page, { text: 'fine', steps: '8' });
    await waitForResult(page, 'fine');
    await page.getByRole('tab', { name: 'Batch' }).click();
  });

  test('a labelled file gives an accuracy, a confusion matrix and a CSV export', async ({ page }, testInfo) => {
    await page.locator('snn-batch input[type=file]').setInputFiles(REVIEWS);
    await expect(page.locator('snn-batch')).toContainText('reviews.tsv · 24 texts · TSV · labels: positive, negative');
    await page.getByRole('button', { name: 'Classify 24 texts' }).click();
    await expect(page.getByTestId('batch-accuracy')).toHaveText(/^\d+\.\d %$/, { timeout: 120_000 });
    const cells = await page.getByTestId('confusion-matrix').locator('tbody td').allTextContents();
    expect(cells.map(Number).reduce((sum, count) => sum + count, 0)).toBe(24);
    const accuracy = Number((await page.getByTestId('batch-accuracy').textContent())!.replace(' %', '')) / 100;
    const diagonal = Number(cells[0]) + Number(cells[3]);
    expect(accuracy).toBeCloseTo(diagonal / 24, 3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('batch-export').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('text,label,snn_label,snn_spikes_negative,snn_spikes_positive,ann_label,ann_score_negative,ann_score_positive,snn_ann_agree,snn_correct');
    expect(csv).toHaveLength(25);
    expect(csv[1]).toMatch(/^"a gorgeous , witty and touching film",positive,(negative|positive),\d+,\d+,/);
    await saveScreenshot(page, testInfo, 'batch');
  });

  test("SST's label-first lines and a TSV without a header give an accuracy; the misclassified texts are listed and open in the inspector", async ({ page }) => {
    const rows = readFileSync(REVIEWS, 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    const asIndex = (label: string) => (label.trim() === 'positive' ? '1' : '0');
    // SST's layout: "1 a gorgeous film" — the digit is the label, not part of the text.
    const sst = rows.map(([label, text]) => `${asIndex(label)} ${text}`).join('\n');
    await page.locator('snn-batch input[type=file]').setInputFiles({ name: 'sst.txt', mimeType: 'text/plain', buffer: Buffer.from(sst) });
    await expect(page.locator('snn-batch')).toContainText('sst.txt · 24 texts · a label, then the text, per line (as SST) · labels: 1, 0');
    await page.getByRole('button', { name: 'Classify 24 texts' }).click();
    await expect(page.getByTestId('batch-accuracy')).toHaveText(/^\d+\.\d %$/, { timeout: 120_000 });
    // The labels read as the model's classes; no text starts with its label.
    const table = page.locator('snn-batch table.preview');
    await expect(table.locator('tbody tr').first()).toContainText(/(positive|negative) \((0|1)\)/);
    expect(await table.locator('tbody tr td:nth-child(2)').allTextContents()).not.toContainEqual(expect.stringMatching(/^[01] /));
    // The misclassified rows, each of which opens in the inspector.
    const mistakes = page.getByTestId('batch-mistakes');
    const count = Number(/\((\d+)/.exec((await mistakes.textContent())!)![1]);
    const accuracy = Number((await page.getByTestId('batch-accuracy').textContent())!.replace(' %', '')) / 100;
    expect(count).toBe(Math.round(24 * (1 - accuracy)));
    await mistakes.click();
    await expect(table.locator('tbody tr')).toHaveCount(count);
    if (count > 0) {
      const text = (await table.locator('tbody tr td:nth-child(2)').first().textContent())!;
      await table.getByRole('button', { name: /Open row \d+ in the inspector/ }).first().click();
      await expect(page.getByRole('tab', { name: 'Spikes' })).toHaveAttribute('aria-selected', 'true');
      await waitForResult(page, text);
    }
    // A header-less TSV of text, then label.
    await page.getByRole('tab', { name: 'Batch' }).click();
    const tsv = rows.map(([label, text]) => `${text}\t${asIndex(label)}`).join('\n');
    await page.locator('snn-batch input[type=file]').setInputFiles({ name: 'plain.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(tsv) });
    await expect(page.locator('snn-batch')).toContainText('plain.tsv · 24 texts · TSV · labels: 1, 0');
  });

  test('a batch can be cancelled, with progress shown', async ({ page }) => {
    const lines = Array.from({ length: 3000 }, (_, i) => `the story is warm and the acting is good ${i % 2 ? 'but slow' : 'and funny'}`).join('\n');
    await page.locator('snn-batch input[type=file]').setInputFiles({ name: 'many.txt', mimeType: 'text/plain', buffer: Buffer.from(lines) });
    await expect(page.locator('snn-batch')).toContainText('3,000 texts · one text per line · no labels');
    await page.getByRole('button', { name: 'Classify 3,000 texts' }).click();
    await expect(page.locator('snn-batch progress')).toBeVisible();
    await page.locator('snn-batch').getByRole('button', { name: 'Cancel' }).click();
    await expect(page.locator('snn-batch')).toContainText('Cancelled', { timeout: 120_000 });
  });

  test('a file that is not text is refused with a message', async ({ page }) => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    await page.locator('snn-batch input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
    await expect(page.getByTestId('batch-file-error')).toContainText('"photo.png" is not a text file');
  });
});
