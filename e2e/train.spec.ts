import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, openApp, saveScreenshot, test, typeText, waitForResult } from './app';

/**
 * 300 short reviews made up from a few templates: positive or negative adjectives about films. A
 * model learns them in two epochs, so a typed sentence of the same kind gets a predictable label.
 */
function reviewsCsv(): string {
  const good = ['good', 'great', 'wonderful', 'delightful', 'superb', 'brilliant', 'charming', 'moving', 'excellent', 'funny'];
  const bad = ['bad', 'awful', 'dull', 'boring', 'terrible', 'tedious', 'weak', 'clumsy', 'lifeless', 'poor'];
  const nouns = ['film', 'movie', 'story', 'script', 'cast', 'performance', 'picture', 'drama', 'comedy', 'plot'];
  const templates = [
    (a: string, _b: string, n: string) => `a ${a} ${n}`,
    (a: string, _b: string, n: string) => `the ${n} is ${a}`,
    (a: string, b: string, n: string) => `${a} and ${b} , this ${n} stays with you`,
    (a: string, b: string, n: string) => `what a ${a} , ${b} ${n}`,
    (a: string, _b: string, n: string) => `the ${n} feels ${a} from start to finish`,
  ];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  const rows = ['id,text,label'];
  for (let i = 0; i < 300; i++) {
    const positive = i % 2 === 0;
    const words = positive ? good : bad;
    rows.push(`${i + 1},"${pick(templates)(pick(words), pick(words), pick(nouns))}",${positive ? 'positive' : 'negative'}`);
  }
  return `${rows.join('\n')}\n`;
}

test.describe('train', () => {
  test('a labelled file trains a spiking classifier in the page: curves, a typed sentence, a reload, a zip the CLI reads', async ({ page }, testInfo) => {
    test.setTimeout(600_000);
    await openApp(page, { text: 'fine', steps: '8' });
    await waitForResult(page, 'fine');
    await page.getByRole('tab', { name: 'Train' }).click();
    const view = page.locator('snn-train-view');

    // The file: classes, counts, examples and the share of unknown words, before training.
    await view.locator('input[type=file]').setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(reviewsCsv()) });
    await expect(page.getByTestId('train-file-summary')).toContainText('reviews.csv: 300 texts, a CSV table, 2 classes');
    await expect(view.getByLabel('Texts per class')).toContainText('positive');
    await expect(view.getByLabel('Texts per class')).toContainText('150');
    await expect(view.getByLabel('Text column')).toHaveValue('1');
    await expect(page.getByTestId('unknown-share')).toContainText('0.0 % of the words are not in the GloVe table');
    await expect(page.getByTestId('unknown-share')).toContainText('270 texts to train on, 30 held out for dev');
    await saveScreenshot(page, testInfo, 'train-file');

    // Two short epochs; the curves move and the page stays responsive.
    await page.getByTestId('knob-epochs').fill('2');
    await page.getByTestId('knob-epochs').dispatchEvent('change');
    await page.getByTestId('train-name').fill('Film reviews');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-phase')).toBeVisible();
    await expect(page.getByTestId('train-result')).toBeVisible({ timeout: 300_000 });
    await expect(view.getByTestId('dev-point')).toHaveCount(2);
    // The loss curve has points from the batches, and it moved.
    const loss = await view.getByTestId('curve-loss').locator('polyline').getAttribute('points');
    const heights = new Set(loss!.trim().split(' ').map((point) => point.split(',')[1]));
    expect(heights.size).toBeGreaterThan(2);
    const accuracy = Number((await page.getByTestId('train-snn-accuracy').textContent())!.replace(' %', ''));
    expect(accuracy).toBeGreaterThanOrEqual(90);
    await expect(page.getByTestId('train-result')).toContainText('against');
    await page.getByTestId('train-result').evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await saveScreenshot(page, testInfo, 'train-done');

    // The zip, read back by the CLI.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('train-download').click()]);
    expect(download.suggestedFilename()).toBe('film-reviews.zip');
    const folder = mkdtempSync(join(tmpdir(), 'spikescope-train-'));
    const zip = join(folder, 'film-reviews.zip');
    await download.saveAs(zip);

    // The model classifies a typed sentence in the classify view.
    await page.getByTestId('train-use').click();
    await expect(page.getByRole('tab', { name: 'Spikes' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.locator('snn-controls select#model')).toHaveValue(/^local:/);
    const sentence = 'a wonderful , charming movie';
    await typeText(page, sentence);
    await waitForResult(page, sentence);
    await expect(page.getByTestId('snn-label')).toHaveText(/positive/);
    const pageLabel = (await page.getByTestId('snn-label').textContent())!.trim();
    await saveScreenshot(page, testInfo, 'train-classify');

    const cli = execFileSync('node', ['dist/cli/spikescope.js', 'classify', '--model', zip, '--backend', 'cpu', '--json', sentence], { encoding: 'utf8' });
    const cliLabel = (JSON.parse(cli) as { results: { label: string }[] }).results[0].label;
    expect(pageLabel).toContain(cliLabel);

    // A reload keeps the model: in the model menu, and in the Train view's list.
    const path = await page.locator('snn-controls select#model').inputValue();
    await page.reload();
    await expect(page.locator('snn-controls select#model option', { hasText: 'Film reviews (trained here)' })).toHaveCount(1);
    await page.goto(`./?model=${encodeURIComponent(path)}&text=${encodeURIComponent(sentence)}&steps=8`);
    await waitForResult(page, sentence);
    await expect(page.getByTestId('snn-label')).toHaveText(/positive/);
    await page.getByRole('tab', { name: 'Train' }).click();
    await expect(page.getByTestId('stored-models')).toContainText('Film reviews');
    writeFileSync(join(folder, 'done'), '');
  });

  test('a reload in the middle of training keeps the finished epochs, and the run resumes from them', async ({ page }, testInfo) => {
    test.setTimeout(600_000);
    await openApp(page, { text: 'fine', steps: '8' });
    await waitForResult(page, 'fine');
    await page.getByRole('tab', { name: 'Train' }).click();
    const view = page.locator('snn-train-view');
    const csv = reviewsCsv();
    // A larger file and many epochs, so that the run is still going when it is paused and reloaded.
    const many = [csv.trim(), ...Array.from({ length: 15 }, () => csv.trim().split('\n').slice(1).join('\n'))].join('\n');
    await view.locator('input[type=file]').setInputFiles({ name: 'many.csv', mimeType: 'text/csv', buffer: Buffer.from(many) });
    await expect(page.getByTestId('train-file-summary')).toContainText('4,800 texts');
    await expect(page.getByTestId('unknown-share')).toBeVisible();
    await page.getByTestId('knob-epochs').fill('100');
    await page.getByTestId('knob-epochs').dispatchEvent('change');
    await page.getByTestId('train-name').fill('Interrupted');
    await page.getByTestId('train-start').click();
    const devPoints = view.getByTestId('dev-point');
    await expect.poll(() => devPoints.count(), { timeout: 300_000 }).toBeGreaterThanOrEqual(1);
    // Pause holds the run between two batches: nothing moves while it is paused.
    await page.getByTestId('train-pause').click();
    await expect(page.getByTestId('train-phase')).toContainText('(paused)');
    await page.waitForTimeout(500);
    const held = { epoch: await page.getByTestId('train-epoch').textContent(), points: await devPoints.count() };
    await page.waitForTimeout(1500);
    expect({ epoch: await page.getByTestId('train-epoch').textContent(), points: await devPoints.count() }).toEqual(held);
    await page.locator('snn-train-view snn-train-curves').scrollIntoViewIfNeeded();
    await saveScreenshot(page, testInfo, 'train-progress');
    // A reload while paused: the finished epochs are kept, and the run goes on from the last of them.
    await page.reload();
    await page.getByRole('tab', { name: 'Train' }).click();
    const banner = page.getByTestId('interrupted-run');
    await expect(banner).toContainText('Training “Interrupted” stopped after epoch');
    const done = Number(/after epoch (\d+)/.exec((await banner.textContent())!)![1]);
    expect(done).toBeGreaterThanOrEqual(held.points);
    await banner.getByRole('button', { name: `Resume from epoch ${done + 1}` }).click();
    await expect(page.getByTestId('train-phase')).toContainText(`Resumed after epoch ${done}`);
    await expect.poll(() => devPoints.count(), { timeout: 300_000 }).toBeGreaterThan(done);
    await page.getByTestId('train-cancel').click();
    await expect(page.getByTestId('train-error')).toContainText('Training cancelled');
    await expect(page.getByTestId('interrupted-run')).toHaveCount(0);
  });

  test('files it cannot train on get one clear line', async ({ page }) => {
    await openApp(page, { text: 'fine', steps: '8' });
    await waitForResult(page, 'fine');
    await page.getByRole('tab', { name: 'Train' }).click();
    const input = page.locator('snn-train-view input[type=file]');
    const error = page.getByTestId('train-error');
    const cases: [string, string | Buffer, RegExp][] = [
      ['one.csv', 'text,label\n' + Array.from({ length: 20 }, (_, i) => `sentence ${i},pos`).join('\n'), /every text has the label "pos"; a classifier needs at least two classes/],
      ['gaps.csv', 'text,label\n' + Array.from({ length: 20 }, (_, i) => `sentence ${i},${i % 5 === 0 ? '' : i % 2}`).join('\n'), /4 of 20 texts have no label/],
      ['plain.txt', Array.from({ length: 20 }, (_, i) => `sentence ${i}`).join('\n'), /has no labels/],
      ['binary.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3]), /is not a text file/],
      ['commas.csv', 'text,label\n' + Array.from({ length: 20 }, (_, i) => `a dull , lifeless film ${i},${i % 2}`).join('\n'), /line 2 has 3 fields but the header has 2/],
    ];
    for (const [name, content, message] of cases) {
      await input.setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.isBuffer(content) ? content : Buffer.from(content) });
      await expect(error).toContainText(message);
    }
  });
});
