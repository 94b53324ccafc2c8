import { defineConfig } from 'vitest/config';

/**
 * Cross-origin isolation: with these two headers the page may share memory with its workers, so the
 * WebAssembly kernels run on several threads (src/wasm/threads.ts) instead of one. The site loads
 * nothing from other origins, so nothing is blocked. A static host should send the same headers.
 */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** The app (a static site built from index.html) and the unit tests (Node, real WebGPU via Dawn). */
export default defineConfig({
  base: './',
  server: { headers: ISOLATION },
  preview: { headers: ISOLATION },
  worker: { format: 'es' },
  build: { outDir: 'dist/app', target: 'es2022' },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
