import '../runtime/aws-sdk-node-warning';
import { MissingPrerequisiteError } from '../infra/local/exec';

/** Runs a script's body; a failure prints its message (not a stack trace for a missing prerequisite) and exits 1. */
export function runMain(body: () => Promise<void> | void): void {
  Promise.resolve().then(body).then(
    () => process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0),
    (err: unknown) => {
      if (err instanceof MissingPrerequisiteError) console.error(`\n✖ Missing prerequisite: ${err.message}`);
      else console.error(`\n✖ ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
