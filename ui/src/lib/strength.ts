// Passphrase strength from zxcvbn-ts (a maintained port of Dropbox's zxcvbn) with its common
// dictionaries. The meter informs; the rule the core enforces is the 12-character minimum.

import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

zxcvbnOptions.setOptions({
  dictionary: { ...common.dictionary },
  graphs: common.adjacencyGraphs,
});

export const MIN_CHARS = 12;
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
