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

/** A local calendar day as "YYYY-MM-DD". */
function ymd(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Today on this computer as "YYYY-MM-DD". */
export function today(): string {
  return ymd(new Date());
}

/** "YYYY-MM-DD" moved by whole days. */
export function shiftDay(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return ymd(new Date(y, m - 1, d + days));
}

/**
 * A date typed as day, month and year (the way a UK form asks for it) as "YYYY-MM-DD".
 * `''` when all three are empty; an `error` in plain words when the date is incomplete or not
 * a real day. Dates go to the core as dates, never as text it must guess at.
 */
export function dayMonthYear(
  label: string,
  day: string,
  month: string,
  year: string,
): { value: string; error: string } {
  const [d, m, y] = [day.trim(), month.trim(), year.trim()];
  if (!d && !m && !y) return { value: '', error: '' };
  const example = 'for example 27 3 1985';
  if (!d || !m || !y) return { value: '', error: `${label}: enter the day, the month and the year, ${example}.` };
  if (![d, m, y].every((p) => /^\d+$/.test(p)) || y.length !== 4) {
    return { value: '', error: `${label}: use numbers only, with a four-digit year, ${example}.` };
  }
  const [dn, mn, yn] = [Number(d), Number(m), Number(y)];
  const t = new Date(yn, mn - 1, dn);
  if (mn < 1 || mn > 12 || t.getFullYear() !== yn || t.getMonth() !== mn - 1 || t.getDate() !== dn) {
    return { value: '', error: `${label}: ${d}/${m}/${y} is not a real date.` };
  }
  return { value: `${y}-${pad(mn)}-${pad(dn)}`, error: '' };
}

/** "YYYY-MM-DD" split into day, month and year as a person would type them ("3", "11", "2026"). */
export function splitDay(ymd: string | null): { day: string; month: string; year: string } {
  if (!ymd) return { day: '', month: '', year: '' };
  const [y, m, d] = ymd.split('-');
  return { day: String(Number(d)), month: String(Number(m)), year: y };
}

/** A 24-hour time typed as "14:30" (or "1430", "9:05"); an error in plain words otherwise. */
export function clockTime(text: string): { value: string; error: string } {
  const m = /^(\d{1,2}):?(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) {
    return { value: '', error: 'Enter the time in the 24-hour clock, for example 14:30.' };
  }
  return { value: `${pad(Number(m[1]))}:${m[2]}`, error: '' };
}

/** The local calendar day of an instant, as "YYYY-MM-DD". */
export function localDay(iso: string): string {
  return ymd(new Date(iso));
}
