import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  // CSS goes to a file of its own (style-src 'self'), never into an inline <style>.
  compilerOptions: { css: 'external' },
};
