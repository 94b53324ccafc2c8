/**
 * Playwright configuration of the latency benchmark (`e2e/latency.bench.ts`): the project's
 * browser setup (Chromium with WebGPU on SwiftShader, the built site on `vite preview`), only the
 * benchmark file. Run from the repository root: npx playwright test -c e2e/bench.config.ts
 */
import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import base from '../playwright.config';

const root = fileURLToPath(new URL('..', import.meta.url));
const webgpu = base.projects!.find((project) => project.name === 'webgpu')!;

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: /latency\.bench\.ts/,
  outputDir: fileURLToPath(new URL('../test-results/bench', import.meta.url)),
  globalSetup: fileURLToPath(new URL('./global-setup.ts', import.meta.url)),
  webServer: { ...(base.webServer as object), cwd: root } as typeof base.webServer,
  projects: [{ ...webgpu, testMatch: /latency\.bench\.ts/ }],
});
