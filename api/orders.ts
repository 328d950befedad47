import { randomUUID } from 'node:crypto';
import { ORDER_MESSAGES, ORDER_WORKFLOW } from '../workflows/orders/names';
import type { ApprovalInput, OrderInput } from '../workflows/orders/types';
import type { Handlers } from './router';
import type { orderSpecs } from './specs/orders';
import { cancelWorkflow, requestIdOf, runUpdate, startWorkflow, workflowStatus, type ResourceKind } from './workflow-calls';

const order: ResourceKind = { noun: 'order', idField: 'orderId', collection: '/orders' };

/** What the order routes (specs/orders.ts) do: start, read, approve and cancel the order saga. */
export const orderHandlers: Handlers<typeof orderSpecs> = {
  start: ({ event, body }) => {
    const orderId = body.orderId ?? randomUUID();
    const input: OrderInput = { ...body, orderId };
    return startWorkflow(event, order, { id: orderId, workflowType: ORDER_WORKFLOW, args: [input] });
  },
  status: ({ params }) => workflowStatus(order, params.orderId!, ORDER_MESSAGES.stateQuery),
  approval: ({ event, params, body }) => {
    const decision: ApprovalInput = { ...body, requestId: requestIdOf(event, `approval ${params.orderId!}`, body) };
    return runUpdate(order, params.orderId!, ORDER_MESSAGES.approvalUpdate, decision, 'decide the approval');
  },
  cancel: ({ params }) => cancelWorkflow(order, params.orderId!),
};
