// Words and numbers for backups: sizes, counts, stages, and the Rust side's progress events.
// A backup's counts and dates are all the page is told about one; never a name or a note.

import { listen } from '@tauri-apps/api/event';
import type { BackupFinished, Counts, Progress, Stage } from './bindings';

/** "740 KB", "2.4 MB", "1.2 GB" (1 MB = 1024 KB). */
export function sizeLabel(bytes: number): string {
  const kb = bytes / 1024;
  if (kb < 1024) return `${Math.max(1, Math.round(kb))} KB`;
  const mb = kb / 1024;
  if (mb < 1024) return `${mb.toFixed(1)} MB`;
  return `${(mb / 1024).toFixed(1)} GB`;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

/** "2 clients, 14 notes, 1 addendum, 9 appointments, 0 attachments". */
export function countsLabel(c: Counts): string {
  return [
    plural(c.clients, 'client', 'clients'),
    plural(c.notes, 'note', 'notes'),
    plural(c.addenda, 'addendum', 'addenda'),
    plural(c.appointments, 'appointment', 'appointments'),
    plural(c.attachments, 'attachment', 'attachments'),
  ].join(', ');
}

export const stageLabel: Record<Stage, string> = {
  snapshot: 'Taking a snapshot of the vault',
  writing: 'Writing the backup',
  verifying: 'Checking the backup',
  restoring: 'Restoring',
};

/** 0 to 100 for a `<progress>` element. */
export function percent(p: Progress): number {
  return p.total > 0 ? Math.min(100, Math.round((p.done / p.total) * 100)) : 0;
}

/** Progress of a backup or restore under way (from "Back up now", a lock, or a restore). */
export function onBackupProgress(handler: (p: Progress) => void): Promise<() => void> {
  return listen<Progress>('backup-progress', (event) => handler(event.payload));
}

/** The end of a backup made while the vault locked. */
export function onBackupFinished(handler: (f: BackupFinished) => void): Promise<() => void> {
  return listen<BackupFinished>('backup-finished', (event) => handler(event.payload));
}
