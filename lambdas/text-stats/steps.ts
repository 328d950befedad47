import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';

/**
 * The text-stats function (the walking skeleton's unit of real work): word statistics of a text,
 * the report in S3 and a record in DynamoDB. Its step, input, output and errors are declared here.
 */

const textStatsInput = z.object({ jobId: z.string(), text: z.string() });
export type TextStatsInput = z.infer<typeof textStatsInput>;

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

export const textStats = declareFunction({
  name: 'textStats',
  description: 'Counts the words of a text, writes a report to S3 and a record to DynamoDB',
  folder: 'text-stats',
  memoryMb: 512,
  timeoutSeconds: 30,
  buckets: [{ bucket: 'data', env: 'DATA_BUCKET', write: ['reports/'] }],
  tables: [{ table: 'jobs', env: 'JOBS_TABLE', access: 'readWrite' }],
  claimChecks: true,
  idempotency: true,
  steps: {
    compute: defineStep({
      name: 'computeTextStats',
      description: "Counts a text's words, lines and characters; writes the report under reports/<jobId>.json",
      input: textStatsInput,
      output: returns<TextStatsResult>(),
      errors: {},
    }),
  },
});
