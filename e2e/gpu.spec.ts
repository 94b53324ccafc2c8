import { expect, test } from '@playwright/test';

test('Chromium offers a WebGPU adapter (SwiftShader) to the page', async ({ page }) => {
  await page.goto('./');
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) return null;
    const found = await gpu.requestAdapter();
    return found ? `${found.info.vendor} ${found.info.architecture} ${found.info.description}` : null;
  });
  console.log(`[gpu] browser adapter: ${adapter}`);
  expect(adapter).not.toBeNull();
});
