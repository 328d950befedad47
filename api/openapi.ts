/**
 * GET /openapi.json: an OpenAPI 3.1 document generated from the route specs and their zod schemas
 * (OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what zod emits), so the document is the
 * validation the API actually applies.
 */
import { z } from 'zod';
import { TRIMMED_WHITESPACE, type RouteSpec } from './specs/route-spec';

/**
 * A string trimmed before its length checks (`.trim().min(1).max(n)`) as JSON Schema: its length
 * limits apply to what is left after trimming, so they become a pattern over the untrimmed text.
 */
function trimmedLength(min: number, max: number): string {
  const ws = `[${TRIMMED_WHITESPACE}]`;
  const text = `[^${TRIMMED_WHITESPACE}]`;
  if (min !== 1) throw new Error(`a trimmed string's minimum length must be 1 for the document, got ${min}`);
  return `^${ws}*(?:${text}|${text}[\\s\\S]{0,${max - 2}}${text})${ws}*$`;
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
  // `unrepresentable: 'any'` keeps the document whole if a refinement has no JSON Schema form;
  // the refinement still runs on requests.
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
    override: ({ zodSchema, jsonSchema: js }) => {
      const checks = (zodSchema._zod.def as { checks?: Array<{ _zod: { def: { check: string } } }> }).checks ?? [];
      if (io === 'input' && js.type === 'string' && checks.some((c) => c._zod.def.check === 'overwrite') && typeof js.maxLength === 'number') {
        js.pattern = trimmedLength(typeof js.minLength === 'number' ? js.minLength : 1, js.maxLength);
        delete js.minLength;
        delete js.maxLength;
      }
    },
  }) as Record<string, unknown>;
  delete out.$schema;
  return out;
};

export function openApiDocument(routes: RouteSpec[], serverUrl: string, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [
      ...[...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map(([, name]) => ({
        name,
        in: 'path',
        required: true,
        schema: route.params?.[name!] ? jsonSchema(route.params[name!]!, 'input') : { type: 'string', minLength: 1 },
      })),
      ...Object.entries(route.query ?? {}).map(([name, q]) => ({ name, in: 'query', required: q.required ?? false, description: q.description, schema: jsonSchema(q.schema, 'input') })),
      ...Object.entries(route.headers ?? {}).map(([name, h]) => ({ name, in: 'header', required: h.required ?? false, description: h.description, schema: h.schema ? jsonSchema(h.schema, 'input') : { type: 'string' } })),
    ];
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, spec]) => [
        status,
        {
          description: spec.description,
          ...(spec.headers ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
          ...(spec.schema ? { content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } } } : {}),
        },
      ]),
    );
    const operation = {
      operationId: operationId(route),
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.tags ? { tags: route.tags } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses,
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stepless API',
      version,
      description:
        'Start, steer and inspect durable workflows (Temporal) whose steps run in AWS Lambda, and read their verifiable audit logs. ' +
        'API Gateway answers a method that a path does not list here itself, before the API: 404 (403 under IAM authorization), not 405.',
    },
    servers: [{ url: serverUrl }],
    paths,
  };
}

/** `POST /orders/{orderId}/approval` → `postOrdersOrderIdApproval`: stable, unique per route. */
function operationId(route: RouteSpec): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .flatMap((s) => s.replace(/[{}]/g, '').split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return route.method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}
