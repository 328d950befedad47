import type { LambdaCallRequest } from '../../runtime/lambda/envelope';
import { stepsByName, type FunctionDeclaration, type StepDeclaration } from '../../runtime/steps/declare';

/**
 * In-process activities for workflow tests on the time-skipping server: one per declared step,
 * registered under the step's name as the worker registers them, plus the generic `invokeFunction`
 * that histories recorded before named steps use. Both call `run` with the step's declaration, so a
 * test's stand-in answers by step, whichever way the workflow scheduled it.
 */
export function stepActivities(
  functions: readonly FunctionDeclaration[],
  run: (step: StepDeclaration, input: unknown) => unknown,
): Record<string, (input: unknown) => Promise<unknown>> {
  const steps = stepsByName(functions);
  const activities: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const step of steps.values()) activities[step.name] = (input) => Promise.resolve().then(() => run(step, input));
  activities.invokeFunction = (request) => {
    const { function: functionName, input } = request as LambdaCallRequest;
    const op = input !== null && typeof input === 'object' ? (input as { op?: unknown }).op : undefined;
    const candidates = [...steps.values()].filter((s) => s.functionName === functionName);
    const step = candidates.find((s) => s.legacyOp !== undefined && s.legacyOp === op) ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (step === undefined) return Promise.reject(new Error(`no declared step of function ${functionName} for op ${JSON.stringify(op)}`));
    return Promise.resolve().then(() => run(step, input));
  };
  return activities;
}
