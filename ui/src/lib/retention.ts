// Words for retention: what an item of the due list covers, what holds it back, what a
// certificate says was destroyed, and the Rust side's destruction progress events.

import { listen } from '@tauri-apps/api/event';
import type { Category, Certificate, DestroyProgress, DueItem, ItemCounts } from './bindings';
import { formatDay } from './dates';

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

export const categoryLabel: Record<Category, string> = {
  client_record: 'client record',
  enquiry: 'enquiry',
  appointments: 'appointments and fees',
};

/** "12 notes, 3 appointments, 1 attachment" (addenda only when there are some). */
export function countsText(c: ItemCounts): string {
  const parts = [plural(c.notes, 'note', 'notes')];
  if (c.addenda > 0) parts.push(plural(c.addenda, 'addendum', 'addenda'));
  parts.push(plural(c.appointments, 'appointment', 'appointments'), plural(c.attachments, 'attachment', 'attachments'));
  return parts.join(', ');
}

/** "client record (12 notes, 3 appointments, 1 attachment)". */
export function whatLabel(category: Category, counts: ItemCounts, appointmentsBefore: string | null): string {
  if (category === 'appointments') {
    const before = appointmentsBefore ? ` before ${formatDay(appointmentsBefore)}` : '';
    return `${categoryLabel[category]} (${plural(counts.appointments, 'appointment', 'appointments')}${before})`;
  }
  return `${categoryLabel[category]} (${countsText(counts)})`;
}

export function itemWhat(i: DueItem): string {
  return whatLabel(i.category, i.counts, i.appointments_before);
}

export function certificateWhat(c: Certificate): string {
  return whatLabel(c.category, c.counts, c.appointments_before);
}

/** "Due since 3 March 2026", or when held back, what the date would have been. */
export function dueLabel(i: DueItem): string {
  return i.due ? `Due since ${formatDay(i.due_on)}` : `Would be due since ${formatDay(i.due_on)}`;
}

/** What holds an item back, in words; '' when nothing does. */
export function holdLabel(i: DueItem): string {
  const h = i.held_by;
  if (!h) return '';
  if (h.kind === 'legal_hold') return `On legal hold: ${h.reason}`;
  return `Came back on ${formatDay(h.on)} — now kept until ${formatDay(h.due_on)}`;
}

/** A rule without the policy's name at its end ("… (UK counselling)"), where the name is shown already. */
export function ruleWithoutPreset(rule: string, presetLabel: string): string {
  const suffix = ` (${presetLabel})`;
  return rule.endsWith(suffix) ? rule.slice(0, -suffix.length) : rule;
}

/** 25 → "25th", 22 → "22nd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** A stable key for an item: a client has at most one record item and one appointments item. */
export function itemKey(i: { case_ref: string; category: Category }): string {
  return `${i.case_ref}:${i.category}`;
}

/** Progress of a destruction under way. */
export function onDestroyProgress(handler: (p: DestroyProgress) => void): Promise<() => void> {
  return listen<DestroyProgress>('destroy-progress', (event) => handler(event.payload));
}
