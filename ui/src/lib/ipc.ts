// The only door to the Rust side. Every call is typed by the generated `Commands` map, and every
// failure arrives as an `IpcError` ({kind, message}). A `locked` answer, from any command, sends
// the app to the lock screen.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { Commands, IpcError, LockedEvent, LockingEvent } from './bindings';

type ArgsOf<K extends keyof Commands> = Commands[K]['args'] extends null ? [] : [Commands[K]['args']];

let onLocked: () => void = () => {};

/** Registers what to do when the vault turns out to be locked. */
export function whenLocked(handler: () => void): void {
  onLocked = handler;
}

export function isIpcError(e: unknown): e is IpcError {
  return typeof e === 'object' && e !== null && 'kind' in e && 'message' in e;
}

export async function call<K extends keyof Commands>(command: K, ...args: ArgsOf<K>): Promise<Commands[K]['result']> {
  try {
    return await invoke<Commands[K]['result']>(command, args.length ? { args: args[0] } : {});
  } catch (e) {
    const error: IpcError = isIpcError(e)
      ? { kind: e.kind, message: e.message }
      : { kind: 'internal', message: 'Something went wrong inside casenotes. Please try again.' };
    if (error.kind === 'locked') onLocked();
    throw error;
  }
}

/** Listens for the Rust side locking the vault (idle, minimise, Ctrl+L in another path). */
export function onVaultLocked(handler: (e: LockedEvent) => void): Promise<() => void> {
  return listen<LockedEvent>('vault-locked', (event) => handler(event.payload));
}

/** Listens for the Rust side about to lock: save drafts, then answer `drafts_saved`. */
export function onVaultLocking(handler: (e: LockingEvent) => void): Promise<() => void> {
  return listen<LockingEvent>('vault-locking', (event) => handler(event.payload));
}

/** The message to show for an error next to a field. */
export function messageOf(e: unknown): string {
  return isIpcError(e) ? e.message : 'Something went wrong inside casenotes. Please try again.';
}
