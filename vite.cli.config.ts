import { defineConfig } from 'vite';

/** The command line: one Node bundle with the WGSL sources inlined; npm packages stay external. */
export default defineConfig({
  logLevel: 'warn',
  publicDir: false,
  build: {
    ssr: 'src/cli/main.ts',
    outDir: 'dist/cli',
    target: 'node20',
    emptyOutDir: true,
    rollupOptions: { output: { entryFileNames: 'spikescope.js', banner: '#!/usr/bin/env node' } },
  },
});
