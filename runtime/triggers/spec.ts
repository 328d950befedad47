import jsonata from 'jsonata';
import { isWorkflowType, WORKFLOW_TYPES, type WorkflowType } from '../workflow-names';

/**
 * A trigger's declaration: which workflow an event starts (or which Update or Signal it delivers),
 * the workflow's input and the event's idempotency key, as JSONata expressions over the event
 * (docs/events.md). Plain data: the CDK construct checks it at synth time, the trigger function
 * reads it from its environment, so both apply the same rules.
 */
export interface TriggerSpec {
  /** Names the trigger in workflow ids, logs and dead-lettered messages: lowercase letters, digits and '-', 1-40 characters. */
  readonly name: string;
  /** The workflow type (a name in runtime/workflow-names.ts), or `{ from }`: a JSONata expression that picks it from the event. */
  readonly workflow: WorkflowType | { readonly from: string };
  /** JSONata: the event's identity, a non-empty string or a number; the workflow id is `<workflowIdPrefix>-<key>`. */
  readonly key: string;
  /** JSONata: the workflow's argument. `$key` is bound to the evaluated key. */
  readonly input: string;
  /** Deliver the event to the workflow as an Update (deduplicated by the key) or a Signal, starting it if it is not running. */
  readonly deliver?: TriggerDelivery;
  /** Workflow ids are `<workflowIdPrefix>-<key>`. Default: the trigger's name. */
  readonly workflowIdPrefix?: string;
}

export type TriggerDelivery =
  /** Update-with-start: the Update's id is the key, so Temporal runs it once per key however often the event arrives. */
  | { readonly update: string; readonly args: string }
  /** Signal-with-start: delivered once per delivery of the event (a repeat signals again; pass `$key` so the workflow can ignore it). */
  | { readonly signal: string; readonly args: string };

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HANDLER_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;

/** Checks a declaration; every error names the trigger, the field and the rule. */
export function checkTriggerSpec(spec: TriggerSpec): TriggerSpec {
  const where = (field: string) => `trigger "${String(spec.name)}": ${field}`;
  if (typeof spec.name !== 'string' || !NAME.test(spec.name)) {
    throw new Error(`trigger name must be 1-40 lowercase letters, digits and '-' (not at either end), got ${JSON.stringify(spec.name)}`);
  }
  if (typeof spec.workflow === 'string') {
    const name: string = spec.workflow;
    if (!isWorkflowType(name)) throw new Error(`${where('workflow')} must be one of ${WORKFLOW_TYPES.join(', ')} (runtime/workflow-names.ts), got "${name}"`);
  } else {
    checkExpression(spec.workflow?.from, where('workflow.from'));
  }
  checkExpression(spec.key, where('key'));
  checkExpression(spec.input, where('input'));
  if (spec.workflowIdPrefix !== undefined && !PREFIX.test(spec.workflowIdPrefix)) {
    throw new Error(`${where('workflowIdPrefix')} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, got ${JSON.stringify(spec.workflowIdPrefix)}`);
  }
  if (spec.deliver !== undefined) {
    const d = spec.deliver as Partial<Record<'update' | 'signal' | 'args', unknown>>;
    const kind = d.update !== undefined ? 'update' : 'signal';
    if ((d.update === undefined) === (d.signal === undefined)) throw new Error(`${where('deliver')} must name exactly one of update or signal`);
    const handlerName = d[kind];
    if (typeof handlerName !== 'string' || !HANDLER_NAME.test(handlerName)) throw new Error(`${where(`deliver.${kind}`)} must be a handler name (letters, digits, _ and $), got ${JSON.stringify(d[kind])}`);
    checkExpression(d.args, where('deliver.args'));
  }
  return spec;
}

function checkExpression(expression: unknown, where: string): void {
  if (typeof expression !== 'string' || expression.trim() === '') throw new Error(`${where} must be a non-empty JSONata expression`);
  try {
    jsonata(expression);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new Error(`${where} is not valid JSONata: ${e.message ?? String(err)}${e.position !== undefined ? ` (at character ${e.position})` : ''}`);
  }
}

/** The environment variable that carries a trigger's declaration to its function. */
export const TRIGGER_SPEC_ENV = 'STEPLESS_TRIGGER';

/** Reads and checks the declaration the construct put in the function's environment. */
export function triggerSpecFromEnv(env: NodeJS.ProcessEnv = process.env): TriggerSpec {
  const raw = env[TRIGGER_SPEC_ENV];
  if (raw === undefined || raw === '') throw new Error(`${TRIGGER_SPEC_ENV} is not set: the trigger function is configured by its construct (infra/constructs/triggers)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${TRIGGER_SPEC_ENV} must be the JSON of a trigger declaration`);
  }
  return checkTriggerSpec(parsed as TriggerSpec);
}
