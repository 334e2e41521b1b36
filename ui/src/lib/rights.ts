// Words for clients' rights and the breach register: the kinds of consent, request and legal
// basis as a counsellor says them, and the clocks (days to a request's due date, hours to the
// ICO's 72-hour deadline) in words, so colour is never the only signal.

import type { ConsentKind, LegalBasis, Outcome, Request, RequestKind } from './bindings';
import { formatDay } from './dates';

export const consentKindLabel: Record<ConsentKind, string> = {
  treatment_contract: 'Treatment and contract',
  contact_email: 'Contact by email',
  contact_phone: 'Contact by phone',
  contact_text: 'Contact by text message',
  share_with_gp: 'Sharing with their GP',
  session_recording: 'Session recording',
  research: 'Research',
  joint_notes_release: "Release of joint notes in another member's subject access request",
};

export const legalBasisLabel: Record<LegalBasis, string> = {
  client_consent: "The client's consent",
  safeguarding_child: 'Safeguarding a child',
  safeguarding_adult: 'Safeguarding an adult at risk',
  court_order: 'Court order',
  serious_harm: 'Serious harm to self or others',
  terrorism_serious_crime: 'Terrorism or serious crime',
  statutory_duty: 'Statutory duty',
};

export const requestKindLabel: Record<RequestKind, string> = {
  access: 'Access (a copy of their records)',
  rectification: 'Rectification (correcting the record)',
  erasure: 'Erasure',
  restriction: 'Restriction of processing',
  portability: 'Data portability',
  objection: 'Objection to processing',
};

/** Short names for lists and Home. */
export const requestKindShort: Record<RequestKind, string> = {
  access: 'Access request',
  rectification: 'Rectification request',
  erasure: 'Erasure request',
  restriction: 'Restriction request',
  portability: 'Portability request',
  objection: 'Objection',
};

export const outcomeLabel: Record<Outcome, string> = {
  granted: 'Granted',
  refused: 'Refused',
  partly: 'Partly granted',
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "due in 5 days", "due today", "overdue by 3 days". */
export function daysLeftWords(days: number): string {
  if (days < 0) return `overdue by ${plural(-days, 'day', 'days')}`;
  if (days === 0) return 'due today';
  if (days === 1) return 'due tomorrow';
  return `due in ${days} days`;
}

/** "31 hours left to decide", "5 hours past the 72-hour deadline". */
export function hoursLeftWords(hours: number): string {
  if (hours < 0) return `${plural(-hours, 'hour', 'hours')} past the 72-hour deadline`;
  if (hours === 0) return 'less than an hour left to decide';
  return `${plural(hours, 'hour', 'hours')} left to decide`;
}

/** Whole days from today (on this computer) to a calendar day "YYYY-MM-DD". */
export function daysFromToday(ymd: string): number {
  const [y, m, d] = ymd.split('-').map(Number);
  const now = new Date();
  const start = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((Date.UTC(y, m - 1, d) - start) / 86_400_000);
}

/** "Due 3 March 2026 (due in 5 days)" or why the due date is not known yet. */
export function dueWords(r: Request): string {
  if (!r.due_on) return "Due date not known until the client's identity is checked";
  return `Due ${formatDay(r.due_on)} (${daysLeftWords(daysFromToday(r.due_on))})`;
}

/** A local date and time typed as "YYYY-MM-DD" and "HH:MM", as an ISO instant (UTC). */
export function localInstant(day: string, time: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  return new Date(y, m - 1, d, hh, mm).toISOString();
}
