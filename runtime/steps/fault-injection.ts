import type { Context as LambdaContext } from 'aws-lambda';
import type { InvocationMeta } from '../lambda/envelope';

/**
 * Faults a function causes itself, for the fault drill (scripts/drill): the drill sets
 * `STEPLESS_FAULTS` on a real function through the Lambda API and removes it afterwards, so a
 * normal run never has the variable and never reaches the parser. Each entry names a step, the
 * attempts it hits (default [1]) and the workflows it is for (by id prefix):
 *
 *   crash          the runtime process exits before the step runs (Runtime.ExitError)
 *   crash-after    the step runs, its side effects happen, then the process exits before answering
 *   timeout        the invocation sleeps past the function's timeout (Sandbox.Timedout)
 *   service-error  the Lambda service fails the Invoke call with a 5xx (the local executor injects it)
 */
export const FAULTS_VARIABLE = 'STEPLESS_FAULTS';

export const faultKinds = ['crash', 'crash-after', 'timeout', 'service-error'] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FaultSpec {
  step: string;
  kind: FaultKind;
  attempts?: number[];
  workflowIdPrefix?: string;
}

/** Parses the variable's value; a malformed one is an error naming the variable and the rule. */
export function parseFaults(raw: string): FaultSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${FAULTS_VARIABLE} must be a JSON array of faults, got ${JSON.stringify(raw.slice(0, 80))}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${FAULTS_VARIABLE} must be a JSON array of faults`);
  return parsed.map((entry: unknown, i) => {
    const f = entry as Partial<FaultSpec> | null;
    if (typeof f?.step !== 'string' || f.step === '') throw new Error(`${FAULTS_VARIABLE}[${i}].step must be a step name`);
    if (!faultKinds.includes(f.kind as FaultKind)) throw new Error(`${FAULTS_VARIABLE}[${i}].kind must be one of ${faultKinds.join(', ')}`);
    if (f.attempts !== undefined && !(Array.isArray(f.attempts) && f.attempts.every((a) => Number.isInteger(a) && a >= 1))) {
      throw new Error(`${FAULTS_VARIABLE}[${i}].attempts must be an array of attempt numbers (1 = first)`);
    }
    if (f.workflowIdPrefix !== undefined && typeof f.workflowIdPrefix !== 'string') throw new Error(`${FAULTS_VARIABLE}[${i}].workflowIdPrefix must be a string`);
    return f as FaultSpec;
  });
}

/** The fault of `phase` this invocation should suffer, if the function's environment asks for one. */
export function faultFor(raw: string | undefined, meta: InvocationMeta, step: string, phase: 'before' | 'after'): FaultSpec | undefined {
  if (raw === undefined || raw === '') return undefined;
  return parseFaults(raw).find(
    (f) =>
      f.step === step &&
      (phase === 'after' ? f.kind === 'crash-after' : f.kind === 'crash' || f.kind === 'timeout') &&
      (f.attempts ?? [1]).includes(meta.attempt) &&
      meta.workflowId.startsWith(f.workflowIdPrefix ?? ''),
  );
}

/** Does what the fault says: never returns for a crash, returns only after the deadline for a timeout. */
export async function inflict(fault: FaultSpec, context: LambdaContext): Promise<void> {
  if (fault.kind === 'timeout') {
    await new Promise((resolve) => setTimeout(resolve, context.getRemainingTimeInMillis() + 5000));
    return;
  }
  process.exit(70);
}
