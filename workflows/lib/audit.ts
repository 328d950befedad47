import { patched } from '@temporalio/workflow';
import { auditLog, type AppendAuditEventResult, type AuditRecordOptions } from '../../runtime/audit/workflow';

/**
 * The audited lifecycle of a workflow, with one naming scheme for every workflow's events:
 *
 *   <workflow>.<event>    workflow: order | training | analysis; event: kebab-case, past tense
 *
 *   <w>.started           the input, by digest (inputSha256)
 *   <w>.step-completed    a Lambda step: `step` names it; its input and output by digest
 *                         (inputSha256, outputSha256) beside a summary of the result. A step whose
 *                         result the workflow names (training.checkpoint-saved) is recorded under
 *                         that name instead, with the same `step` and digests: one event a step.
 *   <w>.decision-requested / <w>.decision-taken
 *                         a person's decision: `gate` names it (approval, review, budget, plan)
 *   <w>.<domain event>    what only this workflow does (training.checkpoint-saved, analysis.stage-entered, ...)
 *   <w>.completed | <w>.stopped | <w>.failed | <w>.cancelled
 *                         the end, checkpointed (a signed tree head); completed carries the output's digest
 *
 * Runs started before the scheme (no AUDIT_SCHEME_PATCH marker in their history) keep the names
 * they were started with: each workflow lists its former names (`legacy`), and an event without
 * one was not recorded then, so it is not recorded for those runs now (no new activity on replay).
 * Steps and decisions are listed by "step-completed:<step>" and "decision-<phase>:<gate>".
 */
export const AUDIT_SCHEME_PATCH = 'one-audit-naming-scheme';

export type AuditedWorkflow = 'order' | 'training' | 'analysis';
export type WorkflowEnd = 'completed' | 'stopped' | 'failed' | 'cancelled';

/**
 * How a workflow named its events before the scheme, keyed by today's name ("order.started"), or
 * for steps by "step-completed:<step>". Fields stay as they were (no `step`, no step digests).
 */
export interface LegacyAuditNames {
  names: Readonly<Record<string, string>>;
  /** The digest field the start event carried (e.g. requestSha256), when not inputSha256. */
  inputDigest?: string;
  /** Whether the end event carried the output's digest. */
  endDigest?: boolean;
}

type Fields = Record<string, unknown>;

export interface WorkflowAudit {
  /** True for runs on the one scheme; false for runs started before it (they keep their former names). */
  readonly current: boolean;
  started(fields: Fields, input: unknown): Promise<AppendAuditEventResult | undefined>;
  /**
   * A step's input and output (what to hash: pass a redacted copy of secrets) and a summary of its
   * result, as `<w>.step-completed`, or as `<w>.<event>` when the workflow names what the step did.
   */
  step(step: string, io: { input: unknown; output: unknown }, fields?: Fields, event?: string): Promise<AppendAuditEventResult | undefined>;
  /** An event of the workflow's own: `event` without the workflow prefix, e.g. 'checkpoint-saved'. */
  record(event: string, fields?: Fields, options?: AuditRecordOptions): Promise<AppendAuditEventResult | undefined>;
  /** A person's decision asked for, or taken (or timed out), at the gate named (approval, review, budget, plan). */
  decision(phase: 'requested' | 'taken', gate: string, fields: Fields): Promise<AppendAuditEventResult | undefined>;
  ended(end: WorkflowEnd, fields: Fields, output?: unknown): Promise<AppendAuditEventResult | undefined>;
}

/**
 * The audit of one run. Create it at the start of the workflow function (the scheme is chosen once,
 * on the first workflow task, so a run never mixes the two), or pass `current` carried over from
 * the run it continues.
 */
export function workflowAudit(workflow: AuditedWorkflow, legacy: LegacyAuditNames, current: boolean = patched(AUDIT_SCHEME_PATCH)): WorkflowAudit {
  const log = auditLog();
  const append = (key: string, fields: Fields, legacyFields: Fields, options: AuditRecordOptions, legacyOptions: AuditRecordOptions) => {
    if (current) return log.record(`${workflow}.${key.replace(/:.*$/, '')}`, fields, options);
    const former = legacy.names[`${workflow}.${key}`];
    return former === undefined ? Promise.resolve(undefined) : log.record(former, legacyFields, legacyOptions);
  };
  return {
    current,
    started: (fields, input) => append('started', fields, fields, { digests: { inputSha256: input } }, { digests: { [legacy.inputDigest ?? 'inputSha256']: input } }),
    step: (step, io, fields = {}, event) => append(event ?? `step-completed:${step}`, { step, ...fields }, fields, { digests: { inputSha256: io.input, outputSha256: io.output } }, {}),
    record: (event, fields = {}, options = {}) => append(event, fields, fields, options, options),
    decision: (phase, gate, fields) => append(`decision-${phase}:${gate}`, { gate, ...fields }, fields, {}, {}),
    ended: (end, fields, output) => append(end, fields, fields, { checkpoint: true, ...(output === undefined ? {} : { digests: { outputSha256: output } }) }, { checkpoint: true, ...(output !== undefined && legacy.endDigest ? { digests: { outputSha256: output } } : {}) }),
  };
}
