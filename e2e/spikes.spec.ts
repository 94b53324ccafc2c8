import { expect, openApp, saveScreenshot, spikePixels, test, waitForResult } from './app';

const SENTENCE = 'it is not a bad movie , just a forgettable one';

test.describe('spikes', () => {
  test.beforeEach(async ({ page }) => {
    await openApp(page, { text: SENTENCE, steps: '16', seed: '1' });
    await waitForResult(page, SENTENCE);
  });

  test('the raster draws spikes as pixels, grouped by token position', async ({ page }) => {
    const canvas = page.locator('snn-raster canvas');
    await expect(canvas).toBeVisible();
    const drawn = await spikePixels(canvas);
    console.log(`[raster] spike-coloured pixels: ${drawn}`);
    expect(drawn).toBeGreaterThan(200);
    // Every spiking layer can be shown, and each draws its own spikes.
    for (const layer of ['input', 'pool_spike', 'conv_spike']) {
      await page.locator(`snn-spikes-view [data-layer="${layer}"]`).click();
      await expect(page.locator(`snn-spikes-view [data-layer="${layer}"]`)).toHaveAttribute('aria-checked', 'true');
    }
    expect(await spikePixels(canvas)).toBeGreaterThan(200);
  });

  test('hovering names the neuron, its token and its spike count', async ({ page }) => {
    const canvas = page.locator('snn-raster canvas');
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
    const tooltip = page.getByTestId('raster-tooltip');
    await expect(tooltip).toBeVisible();
    await expect(tooltip).toContainText(/conv_spike · neuron \d+/);
    await expect(tooltip).toContainText(/position \d+ · “[^”]+”/);
    await expect(tooltip).toContainText(/\d+ spikes? in 16 steps/);
    await expect(tooltip).toContainText(/filter \d+ of the width-\d branch/);
  });

  test('hovering or clicking a drawn spike names a neuron that spiked there, though a pixel holds many neurons', async ({ page }) => {
    const canvas = page.locator('snn-raster canvas');
    const box = (await canvas.boundingBox())!;
    // The drawn spike marks: blue pixels of the canvas, in canvas pixels, spread over the plot.
    const marks = await canvas.evaluate((element: HTMLCanvasElement) => {
      const { data, width, height } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
      const found: [number, number][] = [];
      for (let y = 0; y < height; y += 3) {
        for (let x = 0; x < width; x += 3) {
          const i = (y * width + x) * 4;
          if (data[i + 3] > 0 && data[i + 2] - data[i] > 40 && data[i + 2] > 100) found.push([x / width, y / height]);
        }
      }
      return found;
    });
    expect(marks.length).toBeGreaterThan(20);
    const tooltip = page.getByTestId('raster-tooltip');
    const chosen = Array.from({ length: 20 }, (_, k) => marks[Math.floor((k * marks.length) / 20)]);
    for (const [fx, fy] of chosen) {
      await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
      await expect(tooltip).toBeVisible();
      const count = Number(/(\d+) spikes? in 16 steps/.exec((await tooltip.textContent()) ?? '')?.[1] ?? 0);
      expect(count, `the mark at (${fx.toFixed(3)}, ${fy.toFixed(3)})`).toBeGreaterThan(0);
    }
    const [fx, fy] = chosen[7];
    await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
    await expect(page.getByTestId('membrane-chart')).toBeVisible({ timeout: 60_000 });
    await expect(page.locator('snn-membrane')).toContainText(/· [1-9]\d* spikes?/);
  });

  test('clicking a neuron shows its membrane potential, threshold and spikes', async ({ page }, testInfo) => {
    const canvas = page.locator('snn-raster canvas');
    const box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.25);
    const chart = page.getByTestId('membrane-chart');
    await expect(chart).toBeVisible({ timeout: 60_000 });
    await expect(chart.locator('polyline')).toHaveCount(1);
    await expect(chart.locator('text', { hasText: 'θ =' })).toHaveCount(1);
    await expect(page.locator('snn-membrane')).toContainText(/conv_spike · neuron \d+/);
    await expect(page.locator('snn-membrane')).toContainText(/\d+ spikes?/);
    // The decision over time: one staircase per class.
    await expect(page.getByTestId('decision-chart').locator('polyline')).toHaveCount(2);
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.4);
    await saveScreenshot(page, testInfo, 'spikes');
  });

  test('clicking a neuron of the output layer shows its membrane potential too', async ({ page }) => {
    await page.locator('[data-layer="fc_spike"]').click();
    const canvas = page.locator('snn-raster canvas');
    const box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.25);
    await expect(page.getByTestId('membrane-chart').locator('polyline')).toHaveCount(1, { timeout: 60_000 });
    await expect(page.locator('snn-membrane')).toContainText(/fc_spike · neuron \d+/);
  });

  test('zoom and pan with the keyboard and the wheel', async ({ page }) => {
    const canvas = page.locator('snn-raster canvas');
    const fullView = await canvas.getAttribute('data-view');
    await canvas.focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    const zoomed = await canvas.getAttribute('data-view');
    expect(zoomed).not.toBe(fullView);
    const rowSpan = (view: string | null) => Number(view!.split(',')[1]);
    expect(rowSpan(zoomed)).toBeCloseTo(rowSpan(fullView) / 4, 0);
    await page.keyboard.press('PageDown');
    expect(Number((await canvas.getAttribute('data-view'))!.split(',')[0])).toBeGreaterThan(0);
    await page.keyboard.press('Enter');
    await expect(page.locator('snn-membrane')).toContainText(/neuron \d+/);
    await page.keyboard.press('0');
    await expect(canvas).toHaveAttribute('data-view', fullView!);
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await page.mouse.wheel(0, -400);
    await expect(canvas).not.toHaveAttribute('data-view', fullView!);
    expect(await spikePixels(canvas)).toBeGreaterThan(0);
  });
});

test('a raster of many words says that its labels skip some, and padding is named', async ({ page }) => {
  const long = Array.from({ length: 6 }, () => 'the story is warm and the acting is good').join(' , ');
  await openApp(page, { text: long, steps: '4', seed: '1' });
  await waitForResult(page, long);
  await expect(page.getByTestId('raster-label-note')).toContainText(/the words are named every \d+ rows of words/);
  await expect(page.getByTestId('raster-legend')).toContainText('no input: the position is past the text');
});

test('pointing at a word marks its rows in the raster, and pointing at the raster marks its word', async ({ page }) => {
  const sentence = 'it is not a bad movie , just a forgettable one';
  await openApp(page, { text: sentence, steps: '16', seed: '1' });
  await waitForResult(page, sentence);
  const canvas = page.locator('snn-raster canvas');
  const shaded = () =>
    canvas.evaluate((element: HTMLCanvasElement) => {
      const { data } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
      let count = 0;
      // The orange wash: red above blue, which no spike or background pixel has.
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] - data[i + 2] > 15) count++;
      return count;
    });
  const before = await shaded();
  await page.locator('snn-token-strip [data-word="4"]').hover();
  await expect(canvas).toHaveAttribute('data-word', '4');
  await expect.poll(shaded).toBeGreaterThan(before + 200);
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + 10);
  await expect(page.locator('snn-token-strip [data-word="0"]')).toHaveClass(/pointed/);
});

test('a time scrubber steps the raster, the layer’s spike count and the decision through the run together', async ({ page }) => {
  const sentence = 'it is not a bad movie , just a forgettable one';
  await openApp(page, { text: sentence, steps: '16', seed: '1' });
  await waitForResult(page, sentence);
  await expect(page.getByTestId('time-step')).toHaveText('all 16 steps');
  const slider = page.locator('snn-spikes-view input#time');
  await slider.fill('5');
  await expect(page.getByTestId('time-step')).toHaveText('step 5 of 16');
  await expect(page.getByTestId('decision-marker')).toHaveCount(1);
  await expect(page.getByTestId('decision-at-step')).toContainText('at step 5:');
  const count = async () => Number((await page.getByTestId('spikes-to-step').textContent())!.replace(/ spikes.*/, '').replace(/,/g, ''));
  const early = await count();
  await slider.fill('16');
  await expect(page.getByTestId('time-step')).toHaveText('step 16 of 16');
  const late = await count();
  expect(late).toBeGreaterThan(early);
  // Play runs through the steps on its own.
  await slider.fill('1');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('time-step')).toHaveText(/step ([3-9]|1\d) of 16/, { timeout: 10_000 });
});
