// Passphrase strength from zxcvbn-ts (a maintained port of Dropbox's zxcvbn) with its common
// dictionaries. The meter is advice only: the core decides (12 characters and a zxcvbn score of
// at least MIN_SCORE, from the Rust port, whose dictionaries differ a little), and its
// `passphrase_too_weak` error, which says why in plain words, is what the person is shown.

import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

zxcvbnOptions.setOptions({
  dictionary: { ...common.dictionary },
  graphs: common.adjacencyGraphs,
});

export const MIN_CHARS = 12;
/** The core's lowest accepted score (src/secret.rs MIN_PASSPHRASE_SCORE). */
export const MIN_SCORE = 3;
const WORDS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];

export interface Strength {
  score: number;
  words: string;
  warning: string;
}

export function strengthOf(passphrase: string): Strength {
  if (passphrase.length === 0) return { score: 0, words: '', warning: '' };
  const result = zxcvbn(passphrase);
  return { score: result.score, words: WORDS[result.score] ?? '', warning: result.feedback.warning ?? '' };
}
