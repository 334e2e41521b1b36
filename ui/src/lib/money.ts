// Fees: typed in pounds ("60", "62.50", "£45"), kept in pence by the core.

/** The fee typed in pounds as pence; `null` when left empty; an error in plain words otherwise. */
export function feeInPence(text: string): { pence: number | null; error: string } {
  const t = text.trim().replace(/^£/, '');
  if (t === '') return { pence: null, error: '' };
  const pounds = Number(t);
  if (!/^\d+(\.\d{1,2})?$/.test(t) || !Number.isFinite(pounds)) {
    return { pence: null, error: 'Enter the fee in pounds, for example 60 or 62.50, or leave it empty.' };
  }
  return { pence: Math.round(pounds * 100), error: '' };
}

/** 6250 as "£62.50". */
export function pounds(pence: number): string {
  return `£${(pence / 100).toFixed(2)}`;
}

/** "£62.50, paid" / "£62.50, not paid" / "—" when there is no fee. */
export function feeLabel(pence: number | null, paid: boolean): string {
  return pence === null ? '—' : `${pounds(pence)}${paid ? ', paid' : ', not paid'}`;
}
