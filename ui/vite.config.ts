import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Built to ui/dist, which Tauri serves from inside the binary. Everything is bundled: the page
// loads nothing from the network, and the CSP in src-tauri/tauri.conf.json forbids it anyway.
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or data: URLs, so the CSP needs no exceptions for them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // zxcvbn's dictionaries are most of the bundle; it loads from disk, so size matters little.
    chunkSizeWarningLimit: 1500,
  },
});
