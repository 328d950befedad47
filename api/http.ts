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
 * The API's public base URL as the client called it, for status URLs. On AWS that is
 * https://<domainName>/<stage>; LocalStack's path-style endpoint puts the API under
 * /_aws/execute-api/<apiId>/<stage> on a bare host:port, which requestContext does not spell out,
 * so that form is rebuilt from the api id. PUBLIC_API_URL overrides both (custom domains).
 */
export function baseUrl(event: APIGatewayProxyEvent): string {
  const configured = process.env.PUBLIC_API_URL;
  if (configured) return configured.replace(/\/+$/, '');
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const { domainName, apiId, stage } = event.requestContext;
  const host = domainName ?? headers['host'] ?? 'localhost';
  const forwarded = headers['x-forwarded-proto']?.toLowerCase();
  if (host.includes('.execute-api.')) {
    const proto = forwarded ?? (/:\d+$/.test(host) ? 'http' : 'https');
    return `${proto}://${host}/${stage}`;
  }
  return `${forwarded ?? 'http'}://${host}/_aws/execute-api/${apiId}/${stage}`;
}
