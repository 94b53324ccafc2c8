import { app, expect, openApp, saveScreenshot, test, typeText, waitForResult } from './app';

const SENTENCE = 'a gorgeous , witty and touching film';

test.describe('classify', () => {
  test('typing a sentence shows the spiking network’s label beside the ANN twin’s', async ({ page }, testInfo) => {
    await openApp(page);
    await typeText(page, SENTENCE, 20);
    await waitForResult(page, SENTENCE);
    await expect(page.getByTestId('snn-label')).toHaveText(/^(negative|positive)$/);
    await expect(page.getByTestId('ann-label')).toHaveText(/^(negative|positive)$/);
    await expect(page.getByTestId('agreement')).toHaveText(/SNN and ANN (agree|disagree)/);
    await expect(page.getByTestId('latency')).toHaveText(/\d+ ms on WebGPU/);
    await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'gpu');
    // The token strip: one entry per word, each with how strongly it drove the network.
    const words = page.locator('snn-token-strip [role="listitem"]');
    await expect(words).toHaveCount(7);
    await expect(words.first()).toHaveAttribute('title', /first-layer spikes/);
    await saveScreenshot(page, testInfo, 'classify');
  });

  test('the latest text wins while typing', async ({ page }) => {
    await openApp(page);
    const field = page.getByLabel('Text', { exact: true });
    for (const text of ['the plot', 'the plot is thin', 'the plot is thin and the acting is wooden']) {
      await field.fill(text);
      await page.waitForTimeout(40);
    }
    await waitForResult(page, 'the plot is thin and the acting is wooden');
    await page.waitForTimeout(1500);
    await expect(app(page)).toHaveAttribute('data-result-text', 'the plot is thin and the acting is wooden');
  });

  test('text, model, T, encoding and seed are shared by URL', async ({ page }) => {
    await openApp(page, { text: 'warm and funny', steps: '12', encoding: 'direct', seed: '5' });
    await waitForResult(page, 'warm and funny');
    await expect(page.getByLabel('Steps T')).toHaveValue('12');
    await expect(page.locator('snn-controls select#encoding')).toHaveValue('direct');
    await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('5');
    await page.getByLabel('Steps T').fill('20');
    await expect.poll(() => new URL(page.url()).searchParams.get('steps')).toBe('20');
    const shared = new URL(page.url());
    expect(Object.fromEntries(shared.searchParams)).toMatchObject({ text: 'warm and funny', model: 'models/test-random', steps: '20', encoding: 'direct', seed: '5' });
    await page.reload();
    await waitForResult(page, 'warm and funny');
    await expect(page.getByLabel('Steps T')).toHaveValue('20');
  });

  test('bad input gets a clear message', async ({ page }) => {
    await openApp(page);
    await typeText(page, '   ');
    await expect(page.getByTestId('classify-error')).toContainText('The text is empty');
    await typeText(page, '这家店的外卖很好吃，送得也快');
    await expect(page.getByTestId('classify-error')).toContainText('the model reads English');
    await typeText(page, 'zzqx blorf');
    await waitForResult(page, 'zzqx blorf');
    await expect(page.locator('snn-app').getByText('None of these words is in the model’s vocabulary')).toBeVisible();
  });

  test('a model that fails to load is reported', async ({ page }) => {
    await page.goto('./?model=models/no-such-model');
    await expect(page.getByTestId('model-error')).toContainText('The model could not be loaded');
    await expect(page.getByTestId('model-error')).toContainText(/No model at "models\/no-such-model"|HTTP 404/);
  });

  test('a 100,000-character paste does not freeze the page', async ({ page }) => {
    test.setTimeout(300_000);
    // Two steps keep the ~20,000-token inference short on SwiftShader; the page's behaviour is the same at any T.
    await openApp(page, { steps: '2' });
    const text = `${'the story is warm , the acting is good but the plot is thin . '.repeat(1600)}`.slice(0, 100_000);
    // Watch the page's main thread: the longest task it ran (Long Tasks API). For the record, also
    // the longest gap between frames: with SwiftShader the GPU process computes on the CPU and
    // composites too, so frames can lag on a busy machine while the page itself stays free.
    await page.evaluate(() => {
      const watch = { task: 0, frame: 0, running: true };
      (window as unknown as { watch: typeof watch }).watch = watch;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) watch.task = Math.max(watch.task, entry.duration);
      }).observe({ type: 'longtask' });
      let lastFrame = performance.now();
      const frame = (now: number) => {
        watch.frame = Math.max(watch.frame, now - lastFrame);
        lastFrame = now;
        if (watch.running) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    await page.getByLabel('Text', { exact: true }).fill(text);
    await waitForResult(page, text, { raster: false, timeout: 240_000 });
    await page.waitForTimeout(200);
    const watched = await page.evaluate(() => {
      const watch = (window as unknown as { watch: { task: number; frame: number; running: boolean } }).watch;
      watch.running = false;
      return watch;
    });
    console.log(`[paste] 100,000 characters: longest main-thread task ${watched.task.toFixed(0)} ms, longest frame gap ${watched.frame.toFixed(0)} ms`);
    expect(watched.task).toBeLessThan(1000);
    await expect(page.locator('snn-spikes-view').getByText('spike events per position')).toBeVisible();
    await expect(page.getByTestId('position-activity')).toBeVisible();
    await expect(page.locator('snn-token-strip').getByText(/showing the first 400 of/)).toBeVisible();
  });

  test('the page reads well on a narrow screen', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 420, height: 900 });
    await openApp(page, { text: SENTENCE });
    await waitForResult(page, SENTENCE);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await saveScreenshot(page, testInfo, 'narrow');
  });

  test('the controls work with the keyboard alone', async ({ page }) => {
    await openApp(page);
    await page.getByLabel('Text', { exact: true }).focus();
    await page.keyboard.type('warm and funny');
    await waitForResult(page, 'warm and funny');
    await page.getByLabel('Steps T').focus();
    await page.keyboard.press('ArrowUp');
    await expect(page.getByLabel('Steps T')).toHaveValue('17');
    await expect.poll(() => new URL(page.url()).searchParams.get('steps')).toBe('17');
    const spikesTab = page.getByRole('tab', { name: 'Spikes' });
    await spikesTab.focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: 'Energy' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('tab', { name: 'Energy' })).toBeFocused();
    await page.keyboard.press('ArrowLeft');
    await page.locator('snn-spikes-view').getByRole('radio', { name: 'conv_spike' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('snn-spikes-view').getByRole('radio', { name: 'pool_spike' })).toHaveAttribute('aria-checked', 'true');
  });
});

test.describe('a long text never makes a newer one wait', () => {
  test('a 100,000-character run shows its progress and is abandoned when a short text is typed', async ({ page }) => {
    test.setTimeout(180_000);
    await openApp(page);
    const long = `${'the story is warm , the acting is good but the plot is thin . '.repeat(1600)}`.slice(0, 100_000);
    await page.getByLabel('Text', { exact: true }).fill(long);
    // The long text runs chunk by chunk and says how far it is.
    await expect(page.getByTestId('long-text-progress')).toContainText(/A long text: \d+ % done \(part \d+ of \d+\)/, { timeout: 60_000 });
    const short = 'a gorgeous , witty and touching film';
    const typedAt = Date.now();
    await page.getByLabel('Text', { exact: true }).fill(short);
    await waitForResult(page, short, { raster: false, timeout: 30_000 });
    const waited = Date.now() - typedAt;
    console.log(`[supersede] the short text's label came ${waited} ms after it was typed, the long run abandoned`);
    await expect(page.getByTestId('long-text-progress')).toHaveCount(0);
  });
});

test.describe('the page explains itself', () => {
  test('the first view says what to do and what the terms mean; layers have names, not only code names', async ({ page }) => {
    await openApp(page);
    await expect(page.getByTestId('spikes-intro')).toContainText('Type a sentence, or pick one of the examples');
    const glossary = page.getByTestId('glossary');
    await expect(glossary).toHaveAttribute('open', '');
    for (const term of ['Spiking network (SNN)', 'Encoding', 'threshold θ', 'Raster', 'Firing rate', 'ANN twin', 'Drive']) await expect(glossary).toContainText(term);
    const sentence = 'a gorgeous , witty and touching film';
    await page.locator('snn-text-input .examples').getByRole('button', { name: sentence }).click();
    await waitForResult(page, sentence);
    // After a result the glossary stays at hand, closed.
    await expect(page.getByTestId('glossary')).not.toHaveAttribute('open', '');
    await expect(page.locator('snn-spikes-view [data-layer="conv_spike"]')).toHaveText(/neurons over positions\s+conv_spike/);
    await expect(page.locator('snn-spikes-view [data-layer="fc_spike"]')).toHaveText(/output neurons\s+fc_spike/);
  });
});

test.describe('comparisons', () => {
  test('the same text at other T, and a contrast pair, side by side', async ({ page }) => {
    await page.goto(`./?${new URLSearchParams({ model: 'models/mr-textcnn-bif', steps: '16' })}`);
    await expect(page.locator('snn-controls select#model')).toHaveValue('models/mr-textcnn-bif', { timeout: 60_000 });
    const sentence = 'a gripping , beautifully acted film that never lets go';
    await page.getByLabel('Text', { exact: true }).fill(sentence);
    await waitForResult(page, sentence);
    await page.getByTestId('compare-steps').click();
    const table = page.getByTestId('comparison');
    await expect(table).toHaveAttribute('aria-busy', 'false', { timeout: 120_000 });
    await expect(table.locator('tbody tr')).toHaveCount(5);
    await expect(table.locator('tbody tr td:first-child')).toHaveText(['T = 4', 'T = 8', 'T = 16', 'T = 32', 'T = 64']);
    // The lossless model at T = 64: the spike counts have caught up with the twin, so they agree.
    await expect(table.locator('tbody tr').last()).not.toContainText('(differs)');
    await page.locator('snn-compare').getByRole('button', { name: 'a bad movie ↔ not a bad movie' }).click();
    await expect(table).toHaveAttribute('aria-busy', 'false', { timeout: 120_000 });
    await expect(table.locator('tbody tr td:first-child')).toHaveText(['a bad movie', 'not a bad movie']);
    await expect(table.locator('tbody tr td:nth-child(2)').first()).toHaveText(/^(negative|positive)$/);
  });
});
