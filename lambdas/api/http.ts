import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';

/** An error a client caused or can act on; the router turns it into its status code and a JSON body. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Parses and validates a JSON body; a 400 names every invalid field and the rule it broke. */
export function parseBody<T>(event: APIGatewayProxyEvent, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    const text = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    raw = JSON.parse(text ?? '');
  } catch {
    throw new HttpError(400, 'the request body must be a JSON object', { errors: [{ field: '(body)', message: 'malformed or missing JSON' }] });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.flatMap((issue) =>
      // An unknown field is reported under its own name, not as a fault of the whole body.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown field' }))
        : [{ field: issue.path.join('.') || '(body)', message: issue.message }],
    );
    throw new HttpError(400, `invalid request: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
  }
  return parsed.data;
}

/**
 * The API's public base URL as the client called it, so status URLs work both behind
 * API Gateway's own domain and LocalStack's /_aws/execute-api/<id>/<stage>/ path.
 */
export function baseUrl(event: APIGatewayProxyEvent): string {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const host = headers['host'] ?? event.requestContext.domainName ?? 'localhost';
  const proto = headers['x-forwarded-proto'] ?? (host.startsWith('127.0.0.1') || host.startsWith('localhost') ? 'http' : 'https');
  // requestContext.path is the full path the client used (it includes the stage, and LocalStack's prefix).
  const fullPath = event.requestContext.path ?? event.path;
  const prefix = fullPath.endsWith(event.path) ? fullPath.slice(0, fullPath.length - event.path.length) : `/${event.requestContext.stage}`;
  return `${proto}://${host}${prefix}`;
}
