import type { Diagnostic } from '../shared/analysis/program';

export interface CheckFilesInput {
  snapshot: { bucket: string; prefix: string };
  /** The snapshot's source files (paths); their current versions are checked together as one program. */
  paths: string[];
  /** Diagnostic keys (file|TScode|message) known before the change; only diagnostics beyond these count as new. */
  baseline?: string[];
}

export interface CheckFilesResult {
  ok: boolean;
  /** Every diagnostic's key, the next baseline. */
  keys: string[];
  /** Diagnostics not in the baseline (all of them without one). */
  newDiagnostics: Diagnostic[];
  files: number;
  ms: number;
}
