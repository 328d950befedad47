import { isGrpcServiceError, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { UnprocessableEventError, type MappedEvent } from './mapping';

/** What delivering one event did. `duplicate`: its workflow had been started before, so nothing new was. */
export type DispatchOutcome = 'started' | 'duplicate' | 'updated' | 'signalled';

/**
 * Starts the event's workflow, or delivers its Update or Signal (starting the workflow if it is not
 * running). A start uses REJECT_DUPLICATE, so an id that was ever used (the same event again, even
 * after its workflow has finished) starts nothing and is reported as a duplicate, not an error.
 * What no retry can change (Temporal refusing the request as invalid, the workflow's Update
 * validator rejecting it) is an UnprocessableEventError; anything else (Temporal unreachable,
 * overloaded) is thrown as it is, for the event source to retry.
 */
export async function dispatchEvent(client: Client, taskQueue: string, event: MappedEvent): Promise<DispatchOutcome> {
  try {
    return await deliver(client, taskQueue, event);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      throw new UnprocessableEventError('UPDATE_REJECTED', `the workflow rejected the update ${event.deliver?.name ?? ''}: ${err.cause?.message ?? err.message}`);
    }
    const grpc = grpcErrorOf(err);
    if (grpc?.code === GRPC_INVALID_ARGUMENT) {
      throw new UnprocessableEventError('REJECTED_BY_TEMPORAL', `Temporal refused the request as invalid: ${grpc.details}`);
    }
    throw err;
  }
}

/** gRPC's status code INVALID_ARGUMENT: the request itself is wrong, so sending it again cannot help. */
const GRPC_INVALID_ARGUMENT = 3;

/** The client wraps gRPC errors in a ServiceError whose cause is the gRPC error. */
function grpcErrorOf(err: unknown): { code: number; details: string } | undefined {
  if (isGrpcServiceError(err)) return err;
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return isGrpcServiceError(cause) ? cause : undefined;
}

async function deliver(client: Client, taskQueue: string, event: MappedEvent): Promise<DispatchOutcome> {
  const start = { taskQueue, workflowId: event.workflowId, args: [event.input] };
  if (event.deliver === undefined) {
    try {
      await client.workflow.start(event.workflowType, { ...start, workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE });
      return 'started';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
      throw err;
    }
  }
  if (event.deliver.kind === 'update') {
    // The key is the Update's id: Temporal answers a repeat with the first result instead of running it again.
    const startWorkflowOperation = new WithStartWorkflowOperation(event.workflowType, { ...start, workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING });
    await client.workflow.executeUpdateWithStart(event.deliver.name, { args: [event.deliver.args], updateId: event.key, startWorkflowOperation });
    return 'updated';
  }
  await client.workflow.signalWithStart(event.workflowType, { ...start, signal: event.deliver.name, signalArgs: [event.deliver.args] });
  return 'signalled';
}
