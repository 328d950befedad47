/** The order workflow's messages, shared by the workflow and its clients (the API, tests, scripts). */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { ORDER_MESSAGES } from './names';
import type { ApprovalInput, ApprovalResult, OrderState } from './types';

/** The order's state, steps, compensations and approval, at any time (also after it closed). */
export const orderStateQuery = defineQuery<OrderState>(ORDER_MESSAGES.stateQuery);

/** Approve or reject an order awaiting approval; answers synchronously. The validator rejects what cannot apply. */
export const approvalUpdate = defineUpdate<ApprovalResult, [ApprovalInput]>(ORDER_MESSAGES.approvalUpdate);

/** The same decision as a signal, for clients that cannot wait for an answer. Invalid signals are recorded and ignored. */
export const approvalSignal = defineSignal<[ApprovalInput]>(ORDER_MESSAGES.approvalSignal);
