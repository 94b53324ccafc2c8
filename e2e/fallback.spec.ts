import { expect, openApp, saveScreenshot, test, waitForResult } from './app';

const SENTENCE = 'a warm and funny film';

test.describe('without WebGPU', () => {
  test('the page falls back to the CPU, says why in a banner, and still classifies', async ({ page }, testInfo) => {
    expect(testInfo.project.name, 'runs in the project launched without WebGPU').toBe('no-webgpu');
    await openApp(page, { text: SENTENCE });
    const banner = page.getByTestId('backend');
    await expect(banner).toHaveAttribute('data-backend', 'cpu', { timeout: 60_000 });
    await expect(banner).toHaveAttribute('role', 'alert');
    await expect(banner).toContainText('Running on the CPU');
    // The fallback is the WebAssembly backend, not the reference.
    await expect(banner).toContainText('WebAssembly SIMD');
    await expect(page.getByTestId('fallback-reason')).toContainText(/WebGPU unavailable/);
    await waitForResult(page, SENTENCE);
    await expect(page.getByTestId('snn-label')).toHaveText(/^(negative|positive)$/);
    await expect(page.getByTestId('latency')).toContainText('on the CPU');
    await saveScreenshot(page, testInfo, 'cpu-fallback');
  });
});
