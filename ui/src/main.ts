import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// A performance mark at the first frame that shows the lock screen, read by
// src-tauri/bench/measure.py (process start to lock screen painted). Nothing else reads it.
const lockScreenShown = new MutationObserver(() => {
  if (target.querySelector("[data-testid='lock-screen']") === null) return;
  lockScreenShown.disconnect();
  requestAnimationFrame(() => setTimeout(() => performance.mark('lock-screen-painted'), 0));
});
lockScreenShown.observe(target, { childList: true, subtree: true });

mount(App, { target });
