// Search snippets mark each match between [ and ]. The snippet is clinical text typed by a
// person, so it is split into plain parts here and rendered as text, never as HTML.

export type Part = { text: string; match: boolean };

export function snippetParts(snippet: string): Part[] {
  const parts: Part[] = [];
  let rest = snippet;
  while (rest.length) {
    const open = rest.indexOf('[');
    const close = open < 0 ? -1 : rest.indexOf(']', open + 1);
    if (open < 0 || close < 0) {
      parts.push({ text: rest, match: false });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open), match: false });
    parts.push({ text: rest.slice(open + 1, close), match: true });
    rest = rest.slice(close + 1);
  }
  return parts;
}
