import { Trigger, setHandler } from '@temporalio/workflow';
import { dagProgressQuery, stopDagSignal, stopDagUpdate, type StopRequest } from './messages';
import { runDag } from './run';
import type { DagProgress, DagResult, DagStepRecord } from './state';

export interface DagExecutionRequest {
  /** A DAG definition (JSON); validated before anything runs. */
  definition: unknown;
  input?: unknown;
  /** Redrive: the steps of the run this one takes on from (its result's `steps`). */
  previous?: DagStepRecord[];
}

/**
 * One DAG run as a workflow: `runDag` with the progress query and the stop update and signal wired
 * up. The shared entry `executeStateMachine` takes this over for definitions of kind 'dag'.
 */
export async function dagExecution(request: DagExecutionRequest): Promise<DagResult> {
  const stop = new Trigger<StopRequest>();
  let progress: DagProgress = { status: 'RUNNING', steps: [] };
  let stopping = false;
  const requestStop = (request: StopRequest | undefined): boolean => {
    const already = stopping;
    stopping = true;
    stop.resolve(request ?? {});
    return already;
  };
  setHandler(dagProgressQuery, () => progress);
  setHandler(stopDagUpdate, (r: StopRequest) => ({ stopping: true, alreadyStopping: requestStop(r) }), {
    validator: (_r: StopRequest) => {
      if (progress.status !== 'RUNNING') throw new Error(`the run has ended (${progress.status}); there is nothing to stop`);
    },
  });
  setHandler(stopDagSignal, (r) => void requestStop(r));
  return runDag(request.definition, request.input ?? {}, {
    ...(request.previous !== undefined ? { previous: request.previous } : {}),
    stop,
    onProgress: (p) => (progress = p),
  });
}
