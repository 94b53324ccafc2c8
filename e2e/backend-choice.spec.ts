import { expect, openApp, test, waitForResult } from './app';

const SENTENCE = 'a warm and funny film';

test.describe('backend choice', () => {
  test('?backend=cpu forces the WebAssembly CPU backend without calling it a failure', async ({ page }) => {
    await openApp(page, { text: SENTENCE, backend: 'cpu' });
    await waitForResult(page, SENTENCE);
    const banner = page.getByTestId('backend');
    await expect(banner).toHaveAttribute('data-backend', 'cpu');
    await expect(banner).toContainText('WebAssembly SIMD');
    await expect(banner).toContainText('chosen with ?backend=cpu');
  });

  test('?backend=reference runs the plain TypeScript reference', async ({ page }) => {
    await openApp(page, { text: SENTENCE, backend: 'reference' });
    await waitForResult(page, SENTENCE);
    const banner = page.getByTestId('backend');
    await expect(banner).toHaveAttribute('data-backend', 'cpu');
    await expect(banner).toContainText('CPU reference');
    await expect(banner).toContainText('chosen with ?backend=reference');
  });
});
