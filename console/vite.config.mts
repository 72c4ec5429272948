import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// `npm run build:console`: the console is a static bundle under dist/console/, served by the API
// server at /console (src/http/console.ts), so every asset URL starts with that base.
const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  // Nothing in the console reads a public/ folder; its files all come through the bundle.
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // Below Vite's default (4 KiB): every asset is its own file, as the CSP (no data: scripts) expects.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // React Router and TanStack Query mark modules "use client" for React Server Components; a client-only bundle ignores it.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
