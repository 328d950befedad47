import * as registered from '../../../workflows';
import { WORKFLOW_TYPES } from '../../../runtime/workflow-names';

/** Triggers check workflow names against WORKFLOW_TYPES without loading workflow code: it must list exactly what the worker registers. */
describe('the workflow names', () => {
  it('are the exports of workflows/index.ts', () => {
    expect([...WORKFLOW_TYPES].sort()).toEqual(Object.keys(registered).sort());
  });
});
