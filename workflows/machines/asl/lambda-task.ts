import { runtimeError } from './errors';
import { isJsonObject } from './json';

/**
 * Task states that call Lambda, shaped as Step Functions shapes them: a function ARN as the
 * Resource sends the state's input as the payload and returns the function's result; the
 * `lambda:invoke` integration takes the Invoke API's parameters (FunctionName, Payload, Qualifier)
 * and returns the API's response, the result under `Payload`.
 */

/** The optimized Lambda integration's resource (in the standard partition; any partition is accepted). */
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_ANY_PARTITION = /^arn:aws[a-zA-Z-]*:states:::lambda:invoke$/;

/** Whether a Task's Resource is the `lambda:invoke` integration (request-response). */
export function isLambdaInvoke(resource: string): boolean {
  return LAMBDA_INVOKE_ANY_PARTITION.test(resource);
}

/** A Lambda function's ARN, with an optional version or alias. */
export const FUNCTION_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;

/** What the host is asked to do: invoke the function synchronously with this payload, as is. */
export interface LambdaInvocation {
  state: string;
  /** A function name, ARN or partial ARN, as Lambda's Invoke accepts it. */
  functionName: string;
  payload: unknown;
  qualifier?: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

/** What a successful Invoke answered. */
export interface LambdaResponse {
  payload: unknown;
  statusCode: number;
  executedVersion?: string;
  requestId?: string;
  headers?: Record<string, string>;
}

export type LambdaIntegration = 'function' | 'invoke';

/** The invocation a Task state asks for, from its Resource and its effective parameters. */
export function lambdaCallOf(state: string, resource: string, parameters: unknown): { integration: LambdaIntegration; invocation: LambdaInvocation } {
  if (isLambdaInvoke(resource)) {
    if (!isJsonObject(parameters) || typeof parameters.FunctionName !== 'string' || parameters.FunctionName === '') {
      throw runtimeError(`the Task '${state}' (${LAMBDA_INVOKE}) needs a FunctionName string among its parameters, got ${JSON.stringify(parameters)}`);
    }
    if (parameters.Qualifier !== undefined && typeof parameters.Qualifier !== 'string') {
      throw runtimeError(`the Task '${state}': Qualifier must be a string, got ${JSON.stringify(parameters.Qualifier)}`);
    }
    return {
      integration: 'invoke',
      invocation: {
        state,
        functionName: parameters.FunctionName,
        payload: parameters.Payload === undefined ? {} : parameters.Payload,
        ...(parameters.Qualifier !== undefined ? { qualifier: parameters.Qualifier } : {}),
      },
    };
  }
  if (FUNCTION_ARN.test(resource)) return { integration: 'function', invocation: { state, functionName: resource, payload: parameters } };
  throw runtimeError(`the Task '${state}' has the resource '${resource}', which this interpreter does not run`);
}

/** The Task's result: the function's own result, or the Invoke API's response for `lambda:invoke`. */
export function shapeLambdaResult(integration: LambdaIntegration, response: LambdaResponse): unknown {
  if (integration === 'function') return response.payload;
  return {
    ExecutedVersion: response.executedVersion ?? '$LATEST',
    Payload: response.payload,
    SdkHttpMetadata: { HttpHeaders: response.headers ?? {}, HttpStatusCode: response.statusCode },
    SdkResponseMetadata: { RequestId: response.requestId ?? '' },
    StatusCode: response.statusCode,
  };
}
