import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DagProgress } from './state';

/** The messages a DAG run answers: its progress, a stop request, and a person's decision on a decision step. */

export const dagProgressQuery = defineQuery<DagProgress>('dagProgress');

export interface StopRequest {
  /** Why, recorded in the run's cause. */
  reason?: string;
}
export interface StopAnswer {
  /** False when the run was already stopping (a repeat changes nothing). */
  stopping: boolean;
  alreadyStopping: boolean;
}
export const stopDagUpdate = defineUpdate<StopAnswer, [StopRequest]>('stopDag');
export const stopDagSignal = defineSignal<[StopRequest]>('stopDag');

export interface DagDecision {
  /** Taken once per request id; a repeat is answered with the first result. */
  requestId: string;
  /** The decision step this decides. */
  stepId: string;
  approved: boolean;
  by?: string;
  comment?: string;
}
export interface DagDecisionAnswer {
  stepId: string;
  approved: boolean;
  duplicate: boolean;
}
export const dagDecisionUpdate = defineUpdate<DagDecisionAnswer, [DagDecision]>('dagDecision');
export const dagDecisionSignal = defineSignal<[DagDecision]>('dagDecision');
