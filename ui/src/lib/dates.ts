// Dates as a UK practitioner writes them: "3 March 2026"; times in the 24-hour clock.

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });

/** "3 March 2026" in the computer's local time zone. */
export function formatDate(iso: string): string {
  return day.format(new Date(iso));
}

/** "3 March 2026 at 14:05" in the computer's local time zone. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return `${day.format(d)} at ${time.format(d)}`;
}

/** A calendar date "2026-03-03" as "3 March 2026", with no time-zone shift. */
export function formatDay(ymd: string): string {
  const [y, m, d] = ymd.split('-').map(Number);
  return day.format(new Date(y, m - 1, d));
}

/** "14:05" in the computer's local time zone. */
export function formatTime(iso: string): string {
  return time.format(new Date(iso));
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Today on this computer as "YYYY-MM-DD". */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "YYYY-MM-DD" moved by whole days. */
export function shiftDay(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number);
  const t = new Date(y, m - 1, d + days);
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}
