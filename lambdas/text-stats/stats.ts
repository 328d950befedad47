import { createHash } from 'node:crypto';
import type { TextStatsResult } from './steps';

export type TextStats = Omit<TextStatsResult, 'jobId' | 'report'>;

/** Word statistics of a text. Words are runs of letters, digits and apostrophes, compared case-insensitively. */
export function computeTextStats(text: string, topN = 10): TextStats {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  const counts = new Map<string, number>();
  for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  const topWords = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, topN)
    .map(([word, count]) => ({ word, count }));
  return {
    words: words.length,
    distinctWords: counts.size,
    lines: text === '' ? 0 : text.split(/\r\n|\r|\n/).length,
    characters: [...text].length,
    topWords,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}
