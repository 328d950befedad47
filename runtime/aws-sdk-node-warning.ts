/**
 * Imported by every entry point (scripts/run-main.ts, worker/main.ts, the jest setup) because we still
 * support Node 20 (`engines`; Node 22 is preferred where installed) and the AWS SDK would otherwise warn
 * that it is past end of life in every process that makes a client. The variable is the SDK's own switch
 * (@aws-sdk/core); set in process.env, child processes (worker, cdk) inherit it; a value the user set wins.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
