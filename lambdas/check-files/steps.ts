import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';
import type { Diagnostic } from '../shared/analysis/program';
import { snapshotLocation } from '../snapshot-manifest/steps';

/**
 * The check-files function: type-checks a snapshot's files as one program. Its step, input, output
 * and errors are declared here.
 */

const checkFilesInput = z.object({
  snapshot: snapshotLocation,
  /** The snapshot's source files (paths); their current versions are checked together as one program. */
  paths: z.array(z.string()),
  /** Diagnostic keys (file|TScode|message) known before the change; only diagnostics beyond these count as new. */
  baseline: z.array(z.string()).optional(),
});
export type CheckFilesInput = z.infer<typeof checkFilesInput>;

export interface CheckFilesResult {
  ok: boolean;
  /** Every diagnostic's key, the next baseline. */
  keys: string[];
  /** Diagnostics not in the baseline (all of them without one). */
  newDiagnostics: Diagnostic[];
  files: number;
  ms: number;
}

export const checkFiles = declareFunction({
  name: 'checkFiles',
  description: 'Parses and type-checks a snapshot with ts.createProgram',
  folder: 'check-files',
  memoryMb: 1536,
  timeoutSeconds: 120,
  buckets: [{ bucket: 'snapshots', env: 'SNAPSHOT_BUCKET', read: [''], list: [''], versions: true }],
  claimChecks: true,
  typescriptLibs: true,
  steps: {
    check: defineStep({
      name: 'checkFiles',
      description: "Type-checks the snapshot's files at their current versions and reports the diagnostics not in the baseline",
      input: checkFilesInput,
      output: returns<CheckFilesResult>(),
      errors: {
        SnapshotNotFound: 'nonRetryable',
        SnapshotIntegrityError: 'nonRetryable',
        // TypeScript's lib.*.d.ts are missing from the bundle: a deployment fault no retry fixes.
        MissingLibFiles: 'nonRetryable',
      },
    }),
  },
});
