/** The text-stats function's input and output: plain types, imported by workflows as types only. */
export interface TextStatsInput {
  jobId: string;
  text: string;
}

export interface TextStatsResult {
  jobId: string;
  words: number;
  distinctWords: number;
  lines: number;
  characters: number;
  topWords: Array<{ word: string; count: number }>;
  /** SHA-256 of the UTF-8 text, lowercase hex. */
  sha256: string;
  /** Where the full report was written. */
  report: { bucket: string; key: string };
}
