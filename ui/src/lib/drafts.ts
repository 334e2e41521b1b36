// Drafts that have not reached the vault yet. The note editor registers a flush function while
// it has unsaved text; App awaits every flush before it asks the Rust side to lock, so Lock and
// Ctrl+L never lose a keystroke. When the Rust side locks on its own (idle time, minimise, quit),
// the session is already gone: at most the last 400 ms of typing are lost, which is why the
// editor saves so soon after each change.

const pending = new Set<() => Promise<void>>();

export function registerFlush(flush: () => Promise<void>): () => void {
  pending.add(flush);
  return () => pending.delete(flush);
}

/** Saves every pending draft; errors are left to each editor to show. */
export async function flushDrafts(): Promise<void> {
  await Promise.allSettled([...pending].map((f) => f()));
}
