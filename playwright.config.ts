import { defineConfig } from '@playwright/test';

/**
 * Browser tests against the built site (`npm run build`), served by `vite preview`, in Debian's
 * Chromium with WebGPU on SwiftShader. Playwright's own browser download is not used:
 * SPIKESCOPE_CHROMIUM overrides the binary.
 */
const chromium = process.env.SPIKESCOPE_CHROMIUM || process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const port = Number(process.env.SPIKESCOPE_E2E_PORT || 4199);
const baseArgs = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  globalSetup: './e2e/global-setup.ts',
  use: { baseURL: `http://127.0.0.1:${port}/`, viewport: { width: 1280, height: 800 } },
  webServer: {
    command: `npx vite preview --port ${port} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /fallback\.spec\.ts/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: chromium,
          args: [...baseArgs, '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'],
        },
      },
    },
    {
      name: 'no-webgpu',
      testMatch: /fallback\.spec\.ts/,
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: chromium, args: [...baseArgs, '--disable-webgpu', '--disable-gpu'] },
      },
    },
  ],
});
