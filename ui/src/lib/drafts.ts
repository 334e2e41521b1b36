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
