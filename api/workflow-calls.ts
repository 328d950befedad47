/**
 * The HTTP semantics of workflow operations, shared by every resource (jobs, orders, trainings,
 * analyses), so that 202/404/409 mean the same thing everywhere:
 *
 * - start: 202 + Location; an id that was ever used answers 409 (REJECT_DUPLICATE: never a second
 *   workflow, not even after the first has finished).
 * - status: 404 for an unknown id; the Temporal status, the workflow's own state (a query), and
 *   the result or the failure once closed.
 * - action (a Temporal Update): the update's validator rejecting it, or a closed workflow, is a
 *   409 with the reason; the update's result (which says `duplicate: true` for a repeat) is a 200.
 * - cancel: 202; a closed workflow is a 409.
 *
 * What these answer, as schemas for the specs, is in specs/workflow-answers.ts.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { WorkflowIdReusePolicy, type QueryDefinition, type UpdateDefinition } from '@temporalio/common';
import { canonicalJson } from '../runtime/audit/canonical-json';
import { summarizeFailure, type FailureLike } from '../runtime/failure-summary';
import { DEFAULT_TASK_QUEUE } from '../runtime/workflow-names';
import { HttpError, baseUrl, json } from './http';
import { temporalClient } from '../runtime/temporal-client';

/** A resource kind: how its ids map to workflow ids, and how it is named in messages. */
export interface ResourceKind {
  /** `order`: used in messages ("no order with id ..."). */
  noun: string;
  /** `order`: workflow ids are `<prefix>-<id>`. Default: the noun. */
  workflowIdPrefix?: string;
  /** `orderId`: the field name in bodies and answers. */
  idField: string;
  /** `/orders`: the collection path, for status URLs. */
  collection: string;
}

export const workflowIdOf = (kind: ResourceKind, id: string): string => `${kind.workflowIdPrefix ?? kind.noun}-${id}`;

export async function startWorkflow(
  event: APIGatewayProxyEvent,
  kind: ResourceKind,
  opts: { id: string; workflowType: string; args: unknown[]; client?: Client; extra?: Record<string, unknown> },
): Promise<APIGatewayProxyResult> {
  const workflowId = workflowIdOf(kind, opts.id);
  const client = opts.client ?? (await temporalClient());
  try {
    await client.workflow.start(opts.workflowType, {
      taskQueue: process.env.TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
      workflowId,
      args: opts.args,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new HttpError(409, `${article(kind.noun)} ${kind.noun} with id "${opts.id}" already exists`, { [kind.idField]: opts.id, workflowId });
    }
    throw err;
  }
  const statusUrl = `${baseUrl(event)}${kind.collection}/${encodeURIComponent(opts.id)}`;
  return json(202, { [kind.idField]: opts.id, workflowId, status: 'RUNNING', statusUrl, ...opts.extra }, { location: statusUrl });
}

/** The handle and Temporal status of an existing workflow; 404 if there is none. */
export async function existingWorkflow(kind: ResourceKind, id: string): Promise<{ handle: WorkflowHandle; status: string }> {
  const handle = (await temporalClient()).workflow.getHandle(workflowIdOf(kind, id));
  try {
    return { handle, status: (await handle.describe()).status.name };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no ${kind.noun} with id "${id}"`, { [kind.idField]: id });
    throw err;
  }
}

/**
 * GET status. The state query runs on open and closed workflows alike (Temporal replays a closed
 * one on a worker), so a client sees the final state too; if the query cannot be answered (no
 * worker up), the answer still carries the Temporal status.
 */
export async function workflowStatus(kind: ResourceKind, id: string, stateQuery?: QueryDefinition<unknown, []> | string): Promise<APIGatewayProxyResult> {
  const { handle, status } = await existingWorkflow(kind, id);
  const body: Record<string, unknown> = { [kind.idField]: id, workflowId: handle.workflowId, status };
  if (stateQuery) {
    try {
      body.state = await handle.query(stateQuery);
    } catch (err) {
      console.warn(JSON.stringify({ level: 'warn', msg: 'state query failed', workflowId: handle.workflowId, error: String(err) }));
    }
  }
  if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return json(200, body);
  try {
    const result: unknown = await handle.result();
    if (status === 'COMPLETED') body.result = result;
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? (err.cause ?? err) : err;
    body.error = summarizeFailure(cause as FailureLike);
  }
  return json(200, body);
}

/**
 * A Temporal Update from an HTTP action: the answer is the update's result (200). The workflow's
 * validator refusing it is a 409 carrying the validator's reason; a closed workflow is a 409 too.
 */
export async function runUpdate<Ret, Arg>(kind: ResourceKind, id: string, update: UpdateDefinition<Ret, [Arg]> | string, arg: Arg, action: string): Promise<APIGatewayProxyResult> {
  const { handle, status } = await existingWorkflow(kind, id);
  if (status !== 'RUNNING') throw new HttpError(409, `cannot ${action}: the ${kind.noun} is ${status.toLowerCase()}`, { [kind.idField]: id, status });
  try {
    const result = await handle.executeUpdate(update as UpdateDefinition<Ret, [Arg]>, { args: [arg] });
    return json(200, result);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const reason = err.cause?.message ?? err.message;
      throw new HttpError(409, `cannot ${action}: ${reason}`, { [kind.idField]: id });
    }
    // It closed between describe and update.
    if (err instanceof WorkflowNotFoundError) throw new HttpError(409, `cannot ${action}: the ${kind.noun} is no longer running`, { [kind.idField]: id });
    throw err;
  }
}

/** POST .../cancel: asks the workflow to cancel (it compensates, then ends CANCELLED). */
export async function cancelWorkflow(kind: ResourceKind, id: string): Promise<APIGatewayProxyResult> {
  const { handle, status } = await existingWorkflow(kind, id);
  if (status !== 'RUNNING') throw new HttpError(409, `cannot cancel: the ${kind.noun} is ${status.toLowerCase()}`, { [kind.idField]: id, status });
  await handle.cancel();
  return json(202, { [kind.idField]: id, workflowId: handle.workflowId, status: 'CANCEL_REQUESTED' });
}

/**
 * The request id of an action, which the workflow uses to recognise a repeat: the client's
 * Idempotency-Key header, or else a digest of the canonical body and the action, so the same
 * approval sent twice (a client retrying after a timeout) is the same request.
 */
export function requestIdOf(event: APIGatewayProxyEvent, action: string, body: unknown): string {
  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'idempotency-key')?.[1];
  if (header) {
    if (!/^[\x21-\x7e]{1,128}$/.test(header)) throw new HttpError(400, 'the Idempotency-Key header must be 1-128 printable ASCII characters', { errors: [{ field: 'Idempotency-Key', message: 'must be 1-128 printable ASCII characters' }] });
    return header;
  }
  return `sha256:${createHash('sha256').update(action).update('\n').update(canonicalJson(body)).digest('hex')}`;
}

const article = (noun: string): string => (/^[aeiou]/i.test(noun) ? 'an' : 'a');
