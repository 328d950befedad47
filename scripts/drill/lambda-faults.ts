import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { FAULTS_VARIABLE, type FaultSpec } from '../../runtime/steps/fault-injection';

/**
 * Faults set on the real, deployed functions through the Lambda API, and removed afterwards: the
 * `STEPLESS_FAULTS` variable (read by the handler, runtime/steps/fault-injection.ts, and by the
 * local executor for service errors), a shorter timeout while a timeout fault is set, and
 * throttling as reserved concurrency 0.
 */
export class LambdaFaults {
  private readonly saved = new Map<string, { variables: Record<string, string>; timeout: number | undefined }>();
  private readonly throttled = new Set<string>();

  constructor(private readonly lambda: LambdaClient) {}

  /** Sets `faults` on the function (replacing earlier drill faults), and its timeout if given. */
  async set(functionName: string, faults: FaultSpec[], timeoutSeconds?: number): Promise<void> {
    const current = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    if (!this.saved.has(functionName)) {
      const variables = { ...(current.Environment?.Variables ?? {}) };
      delete variables[FAULTS_VARIABLE];
      this.saved.set(functionName, { variables, timeout: current.Timeout });
    }
    const original = this.saved.get(functionName)!;
    await this.update(functionName, { ...original.variables, [FAULTS_VARIABLE]: JSON.stringify(faults) }, timeoutSeconds ?? original.timeout);
  }

  /** Puts every function the drill changed back as it was. */
  async restoreAll(): Promise<void> {
    for (const name of this.throttled) await this.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    this.throttled.clear();
    for (const [name, original] of this.saved) await this.update(name, original.variables, original.timeout);
    this.saved.clear();
  }

  /** Throttles every invocation of the function (429) for `ms`, as reserved concurrency 0 does on AWS. */
  async throttle(functionName: string, ms: number): Promise<void> {
    this.throttled.add(functionName);
    await this.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: 0 }));
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: functionName }));
    this.throttled.delete(functionName);
  }

  private async update(functionName: string, variables: Record<string, string>, timeout: number | undefined): Promise<void> {
    await this.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Environment: { Variables: variables }, ...(timeout !== undefined ? { Timeout: timeout } : {}) }));
    await waitUntilFunctionUpdatedV2({ client: this.lambda, maxWaitTime: 60 }, { FunctionName: functionName });
  }
}
