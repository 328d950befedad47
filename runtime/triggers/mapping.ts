import { createHash } from 'node:crypto';
import jsonata from 'jsonata';
import { isWorkflowType, WORKFLOW_TYPES, type WorkflowType } from '../workflow-names';
import type { TriggerSpec } from './spec';

/** What one event becomes: the workflow to start (or deliver to), its id and its input. */
export interface MappedEvent {
  readonly workflowType: WorkflowType;
  readonly key: string;
  readonly workflowId: string;
  readonly input: unknown;
  readonly deliver?: { readonly kind: 'update' | 'signal'; readonly name: string; readonly args: unknown };
}

/** Why an event cannot become a workflow; such an event goes to the dead-letter queue with this reason. */
export type UnprocessableReason = 'MAPPING_FAILED' | 'INVALID_KEY' | 'UNKNOWN_WORKFLOW' | 'UPDATE_REJECTED' | 'REJECTED_BY_TEMPORAL';

export class UnprocessableEventError extends Error {
  override readonly name = 'UnprocessableEventError';
  constructor(
    readonly reason: UnprocessableReason,
    message: string,
  ) {
    super(message);
  }
}

/** Variables the expressions can read besides the event itself (`$message`: the SQS message around it). */
export type MappingBindings = Record<string, unknown>;

/** An evaluation that runs longer than this is a failed mapping, not a stuck function. */
const EVALUATION_TIMEOUT_MS = 1000;
/** Keys up to this length made of printable ASCII are used in the workflow id as they are; others by their SHA-256. */
const READABLE_KEY = /^[\x21-\x7e]{1,200}$/;

/** `<prefix>-<key>`, or `<prefix>-sha256-<hex>` for a key that is long or has spaces or non-ASCII characters. */
export function workflowIdFor(prefix: string, key: string): string {
  return READABLE_KEY.test(key) ? `${prefix}-${key}` : `${prefix}-sha256-${createHash('sha256').update(key).digest('hex')}`;
}

/** Compiles a (checked) declaration once; the returned function maps each event. */
export function compileTrigger(spec: TriggerSpec): (event: unknown, bindings?: MappingBindings) => Promise<MappedEvent> {
  const expr = (text: string) => jsonata(text, { timeout: EVALUATION_TIMEOUT_MS });
  const key = expr(spec.key);
  const input = expr(spec.input);
  const workflow = typeof spec.workflow === 'string' ? spec.workflow : expr(spec.workflow.from);
  const deliver = spec.deliver && { kind: 'update' in spec.deliver ? ('update' as const) : ('signal' as const), name: 'update' in spec.deliver ? spec.deliver.update : spec.deliver.signal, args: expr(spec.deliver.args) };
  const prefix = spec.workflowIdPrefix ?? spec.name;

  return async (event, bindings = {}) => {
    const rawKey = await evaluate(key, 'key', event, bindings);
    if (!((typeof rawKey === 'string' && rawKey !== '') || (typeof rawKey === 'number' && Number.isFinite(rawKey)))) {
      throw new UnprocessableEventError('INVALID_KEY', `the key expression must give a non-empty string or a number, got ${describe(rawKey)}`);
    }
    const eventKey = String(rawKey);
    const withKey = { ...bindings, key: eventKey };
    const workflowType = typeof workflow === 'string' ? workflow : await evaluate(workflow, 'workflow.from', event, withKey);
    if (typeof workflowType !== 'string' || !isWorkflowType(workflowType)) {
      throw new UnprocessableEventError('UNKNOWN_WORKFLOW', `the event names the workflow ${describe(workflowType)}, which is not one of ${WORKFLOW_TYPES.join(', ')}`);
    }
    const mappedInput = await evaluate(input, 'input', event, withKey);
    if (mappedInput === undefined) throw new UnprocessableEventError('MAPPING_FAILED', 'the input expression gave nothing (a path that is not in the event?)');
    const mapped: MappedEvent = { workflowType, key: eventKey, workflowId: workflowIdFor(prefix, eventKey), input: mappedInput };
    if (!deliver) return mapped;
    const args = await evaluate(deliver.args, 'deliver.args', event, withKey);
    if (args === undefined) throw new UnprocessableEventError('MAPPING_FAILED', 'the deliver.args expression gave nothing (a path that is not in the event?)');
    return { ...mapped, deliver: { kind: deliver.kind, name: deliver.name, args } };
  };
}

/** Evaluates, and turns JSONata's sequences into plain JSON values (what Temporal will serialize anyway). */
async function evaluate(expression: jsonata.Expression, field: string, event: unknown, bindings: MappingBindings): Promise<unknown> {
  let value: unknown;
  try {
    value = await expression.evaluate(event, bindings);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    throw new UnprocessableEventError('MAPPING_FAILED', `the ${field} expression failed: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`);
  }
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}
