/**
 * Benchmark (not a test): the page's CPU backends on the default model, the WebAssembly kernels
 * (`?backend=cpu`, the fallback where WebGPU is missing) against the plain TypeScript reference
 * (`?backend=reference`), in the same browser and run. Classifies the same sentences on both, reads
 * the engine's time of each from the `result-rendered` event, and prints the medians and the ratio.
 *
 * Run: npx vite build && npx playwright test -c e2e/bench.config.ts e2e/cpu-fallback.bench.ts
 */
import { expect, test } from './app';
import type { Page } from '@playwright/test';

const SENTENCES = [
  'the story is warm and the acting is good , but the plot is thin and the ending is dull',
  'a gripping , beautifully acted film that never lets go of you',
  'an empty , tedious exercise in style with nothing to say about its characters or their world',
  'funny , smart and surprisingly moving',
  'the director squanders a fine cast on a script that feels like a first draft written over a weekend',
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function engineTimes(page: Page, model: string, backend: string): Promise<{ times: number[]; detail: string }> {
  await page.goto(`./?model=${encodeURIComponent(model)}&backend=${backend}&text=${encodeURIComponent('warm up')}`);
  await expect(page.locator('snn-app')).toHaveAttribute('data-rendered-text', 'warm up', { timeout: 120_000 });
  await page.evaluate(() => {
    const times: { text: string; ms: number }[] = [];
    (window as unknown as { times: typeof times }).times = times;
    window.addEventListener('result-rendered', (event) => {
      const { text, timings } = (event as CustomEvent<{ text: string; timings: { totalMs: number } }>).detail;
      times.push({ text, ms: timings.totalMs });
    });
  });
  const field = page.getByLabel('Text', { exact: true });
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const sentence of SENTENCES) {
      const text = `${sentence}${' .'.repeat(round)}`;
      await field.fill(text);
      await expect(page.locator('snn-app')).toHaveAttribute('data-rendered-text', text, { timeout: 120_000 });
      times.push(await page.evaluate((wanted) => (window as unknown as { times: { text: string; ms: number }[] }).times.find((entry) => entry.text === wanted)!.ms, text));
    }
  }
  const detail = await page.getByTestId('backend').innerText();
  return { times, detail: detail.replace(/\s+/g, ' ').trim() };
}

test('the WebAssembly CPU backend against the TypeScript reference in the page', async ({ page }) => {
  test.setTimeout(600_000);
  const index = await (await page.request.get('models/index.json')).json();
  const model = ((index.models as { path: string; default?: boolean }[]).find((entry) => entry.default) ?? index.models[0]).path;
  const wasm = await engineTimes(page, model, 'cpu');
  const reference = await engineTimes(page, model, 'reference');
  console.log(`[cpu] model ${model}; ${SENTENCES.length * 3} sentences of 7 to 20 words on each backend, engine time per sentence (SNN + ANN twin)`);
  console.log(`[cpu] wasm (${wasm.detail}): median ${median(wasm.times).toFixed(1)} ms; runs ${wasm.times.map((t) => t.toFixed(0)).join(' ')}`);
  console.log(`[cpu] reference (${reference.detail}): median ${median(reference.times).toFixed(1)} ms; runs ${reference.times.map((t) => t.toFixed(0)).join(' ')}`);
  console.log(`[cpu] the WebAssembly backend is ${(median(reference.times) / median(wasm.times)).toFixed(1)}x faster than the reference`);
  expect(wasm.times.length).toBe(reference.times.length);
});
