// Passphrase strength from zxcvbn-ts (a maintained port of Dropbox's zxcvbn) with its common
// dictionaries. The meter is advice only: the core decides (12 characters and a zxcvbn score of
// at least MIN_SCORE, from the Rust port, whose dictionaries differ a little), and its
// `passphrase_too_weak` error, which says why in plain words, is what the person is shown.
//
// The dictionaries are most of the UI's code, and the lock screen shows no meter until a
// recovery asks for a new passphrase: they are loaded on first use ([`loadStrength`]), in a chunk
// of their own, so the window shows the lock screen sooner.

export const MIN_CHARS = 12;
/** The core's lowest accepted score (src/secret.rs MIN_PASSPHRASE_SCORE). */
export const MIN_SCORE = 3;
const WORDS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];

export interface Strength {
  score: number;
  words: string;
  warning: string;
}

type Engine = (passphrase: string) => { score: number; feedback: { warning?: string | null } };
let engine: Engine | null = null;
let loading: Promise<void> | null = null;

/** Loads zxcvbn and its dictionaries once; resolves when [`strengthOf`] can score. */
export function loadStrength(): Promise<void> {
  loading ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(
    ([core, common]) => {
      core.zxcvbnOptions.setOptions({
        dictionary: { ...common.dictionary },
        graphs: common.adjacencyGraphs,
      });
      engine = core.zxcvbn;
    },
  );
  return loading;
}

/** The passphrase's strength; `null` until [`loadStrength`] has finished. */
export function strengthOf(passphrase: string): Strength | null {
  if (passphrase.length === 0) return { score: 0, words: '', warning: '' };
  if (engine === null) return null;
  const result = engine(passphrase);
  return { score: result.score, words: WORDS[result.score] ?? '', warning: result.feedback.warning ?? '' };
}
