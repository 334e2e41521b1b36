// Drafts that have not reached the vault yet. The note editor registers a flush function while
// it is open; App awaits every flush before it asks the Rust side to lock (Lock, Ctrl+L), and
// when the Rust side locks on its own (idle time, minimise, closing the window, logging out) it
// first sends `vault-locking` and waits for App to flush and answer `drafts_saved`. Either way
// no keystroke is lost.

const pending = new Set<() => Promise<void>>();

export function registerFlush(flush: () => Promise<void>): () => void {
  pending.add(flush);
  return () => pending.delete(flush);
}

/** Saves every pending draft; errors are left to each editor to show. */
export async function flushDrafts(): Promise<void> {
  await Promise.allSettled([...pending].map((f) => f()));
}

/** A draft editor's saving: `schedule` after each change saves 400 ms later, `flush` saves what
 * is typed now. Saves run one after another, never side by side, so a new draft is created once
 * and a slow save is never overtaken by an older text. */
export interface Autosave {
  schedule(): void;
  flush(): Promise<void>;
}

export function autosave(saveNow: () => Promise<void>, delayMs = 400): Autosave {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let chain: Promise<void> = Promise.resolve();
  function flush(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    chain = chain.then(saveNow);
    return chain;
  }
  return {
    flush,
    schedule() {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void flush(), delayMs);
    },
  };
}
