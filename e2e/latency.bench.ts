/**
 * Benchmark (not a test): latency from the last keystroke to an updated label and raster, for a
 * 20-token sentence with the default model (the `default` entry of models/index.json; the random
 * test model when the build ships none). Types the sentence key by key, as a person does, several
 * times with a different last word, and prints the median.
 *
 * Run: npx vite build && npx playwright test -c e2e/bench.config.ts
 */
import { expect, test } from './app';
import { TEST_MODEL_URL } from './test-model';

const SENTENCE = 'the story is warm and the acting is good , but the plot is thin and the ending is';
const LAST_WORDS = ['dull', 'funny', 'boring', 'sweet', 'flat', 'charming', 'tedious', 'moving', 'bland', 'clever', 'silly', 'smart'];

interface Probe {
  lastKey: number;
  rendered: { text: string; at: number; engineMs: number; gpuMs: number | null }[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

test('latency from the last keystroke to an updated label and raster', async ({ page }) => {
  const index = await (await page.request.get('models/index.json')).json();
  const shipped = (index.models as { path: string; default?: boolean }[]).find((entry) => entry.default) ?? index.models[0];
  const model = shipped?.path ?? TEST_MODEL_URL;
  await page.goto(`./?model=${encodeURIComponent(model)}&text=${encodeURIComponent('warm up')}`);
  await expect(page.locator('snn-app')).toHaveAttribute('data-rendered-text', 'warm up', { timeout: 120_000 });
  await page.evaluate(() => {
    const probe: Probe = { lastKey: 0, rendered: [] };
    (window as unknown as { probe: Probe }).probe = probe;
    document.addEventListener('keydown', () => (probe.lastKey = performance.now()), true);
    window.addEventListener('result-rendered', (event) => {
      const { text, timings } = (event as CustomEvent<{ text: string; timings: { totalMs: number; gpuMs?: number } }>).detail;
      probe.rendered.push({ text, at: performance.now(), engineMs: timings.totalMs, gpuMs: timings.gpuMs ?? null });
    });
  });
  const field = page.getByLabel('Text', { exact: true });
  const latencies: number[] = [];
  const engine: number[] = [];
  const gpu: number[] = [];
  for (const word of LAST_WORDS) {
    const text = `${SENTENCE} ${word}`;
    await field.fill('');
    await field.pressSequentially(text, { delay: 25 });
    await expect(page.locator('snn-app')).toHaveAttribute('data-rendered-text', text, { timeout: 120_000 });
    const latency = await page.evaluate((wanted) => {
      const probe = (window as unknown as { probe: Probe }).probe;
      const rendered = probe.rendered.find((entry) => entry.text === wanted)!;
      return { latency: rendered.at - probe.lastKey, engineMs: rendered.engineMs, gpuMs: rendered.gpuMs };
    }, text);
    latencies.push(latency.latency);
    engine.push(latency.engineMs);
    if (latency.gpuMs !== null) gpu.push(latency.gpuMs);
  }
  const tokens = `${SENTENCE} x`.split(' ').length;
  const backend = await page.getByTestId('backend').getAttribute('data-backend');
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(`[latency] model ${model}, ${tokens} tokens, backend ${backend}, ${latencies.length} runs (typing debounce 150 ms included)`);
  console.log(`[latency] runs (ms): ${latencies.map((value) => value.toFixed(0)).join(' ')}`);
  console.log(`[latency] engine time of the final request, median ${median(engine).toFixed(0)} ms${gpu.length ? ` (GPU timestamps ${median(gpu).toFixed(1)} ms)` : ''}`);
  console.log(`[latency] median ${median(latencies).toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`);
  expect(latencies.length).toBe(LAST_WORDS.length);
});
