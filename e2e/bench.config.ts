/**
 * Playwright configuration of the browser benchmarks (`e2e/*.bench.ts`): the project's
 * browser setup (Chromium with WebGPU on SwiftShader, the built site on `vite preview`), only the
 * benchmark files. Run from the repository root: npx playwright test -c e2e/bench.config.ts [FILE]
 */
import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import base from '../playwright.config';

const root = fileURLToPath(new URL('..', import.meta.url));
const webgpu = base.projects!.find((project) => project.name === 'webgpu')!;

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: /\.bench\.ts/,
  outputDir: fileURLToPath(new URL('../test-results/bench', import.meta.url)),
  globalSetup: fileURLToPath(new URL('./global-setup.ts', import.meta.url)),
  webServer: { ...(base.webServer as object), cwd: root } as typeof base.webServer,
  projects: [{ ...webgpu, testMatch: /\.bench\.ts/ }],
});
