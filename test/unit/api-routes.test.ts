import type { APIGatewayProxyEvent } from 'aws-lambda';
import { execFileSync } from 'node:child_process';
import { z } from 'zod';
import { handler } from '../../api/handler';
import { Router, attach } from '../../api/router';
import { clientIdSchema, defineSpec } from '../../api/specs/route-spec';
import { HttpError, json } from '../../api/http';
import { requestIdOf } from '../../api/workflow-calls';

function event(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    body: body === undefined ? null : JSON.stringify(body),
    headers: { Host: '127.0.0.1:4566', ...headers },
    isBase64Encoded: false,
    requestContext: { path: `/local${path}`, stage: 'local', apiId: 'abc123', domainName: '127.0.0.1:4566' },
  } as unknown as APIGatewayProxyEvent;
}

describe('Router', () => {
  const seen: unknown[] = [];
  const things = {
    poke: defineSpec({
      method: 'POST',
      path: '/things/{thingId}/poke',
      summary: 'poke',
      params: { thingId: clientIdSchema },
      body: z.strictObject({ times: z.number().int().min(1, 'must be at least 1') }),
      responses: { 200: { description: 'ok' } },
    }),
    get: defineSpec({ method: 'GET', path: '/things/{thingId}', summary: 'get', responses: {} }),
    special: defineSpec({ method: 'GET', path: '/things/special', summary: 'literal wins', responses: {} }),
  };
  const router = new Router(
    attach(
      { things },
      {
        things: {
          poke: ({ params, body }) => {
            seen.push({ params, body });
            return Promise.resolve(json(200, { ok: true }));
          },
          get: ({ params }) => Promise.resolve(json(200, params)),
          special: () => Promise.resolve(json(200, { special: true })),
        },
      },
    ),
  );
  const status = async (e: APIGatewayProxyEvent) => {
    try {
      return (await router.dispatch(e)).statusCode;
    } catch (err) {
      return (err as HttpError).statusCode;
    }
  };

  it('passes decoded, validated parameters and the parsed body to the handler', async () => {
    expect(await status(event('POST', '/things/a.b-c/poke', { times: 2 }))).toBe(200);
    expect(seen.at(-1)).toEqual({ params: { thingId: 'a.b-c' }, body: { times: 2 } });
  });

  it('answers 400 naming the path parameter or the body field, before the handler runs', async () => {
    const before = seen.length;
    await expect(router.dispatch(event('POST', '/things/a%20b/poke', { times: 1 }))).rejects.toMatchObject({ statusCode: 400, details: { errors: [{ field: 'thingId' }] } });
    await expect(router.dispatch(event('POST', '/things/x/poke', { times: 0 }))).rejects.toMatchObject({ statusCode: 400, details: { errors: [{ field: 'times', message: 'must be at least 1' }] } });
    expect(seen.length).toBe(before);
  });

  it('prefers a literal segment over a parameter, and answers 404/405 with the allowed methods', async () => {
    expect(JSON.parse((await router.dispatch(event('GET', '/things/special'))).body)).toEqual({ special: true });
    expect(await status(event('GET', '/nothing'))).toBe(404);
    await expect(router.dispatch(event('DELETE', '/things/x'))).rejects.toMatchObject({ statusCode: 405, details: { allow: ['GET'] } });
  });

  it('refuses a table that defines a route twice', () => {
    const a = defineSpec({ method: 'GET', path: '/a', summary: 'a', responses: {} });
    const handle = () => Promise.resolve(json(200, {}));
    expect(() => new Router(attach({ twice: { a, again: a } }, { twice: { a: handle, again: handle } }))).toThrow('GET /a is defined twice');
  });

  it('refuses a spec without a handler', () => {
    const a = defineSpec({ method: 'GET', path: '/a', summary: 'a', responses: {} });
    expect(() => attach({ things: { a } }, { things: {} } as never)).toThrow('route GET /a (things.a) has no handler');
  });
});

describe('GET /openapi.json', () => {
  let doc: { openapi: string; servers: Array<{ url: string }>; paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: Record<string, unknown> } }> } }>> };

  beforeAll(async () => {
    const res = await handler(event('GET', '/openapi.json'));
    expect(res.statusCode).toBe(200);
    doc = JSON.parse(res.body) as typeof doc;
  });

  it('is a valid OpenAPI 3.1 document', () => {
    // The validator is an ES module, which jest's CommonJS runtime cannot load: run it in node.
    const script = `import { Validator } from '@seriousme/openapi-schema-validator';
      const doc = JSON.parse(await new Promise((r) => { let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => r(s)); }));
      const validator = new Validator();
      const res = await validator.validate(doc);
      process.stdout.write(JSON.stringify({ valid: res.valid, version: validator.version, errors: res.errors ?? [] }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(doc), cwd: process.cwd() });
    const result = JSON.parse(out.toString()) as { valid: boolean; version: string; errors: unknown[] };
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({ valid: true, version: '3.1' });
    expect(doc.servers[0]?.url).toBe('http://127.0.0.1:4566/_aws/execute-api/abc123/local');
  });

  it('documents every route the API serves, with unique operation ids', () => {
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/openapi.json', '/jobs', '/jobs/{jobId}', '/audit/{logId}', '/audit/{logId}/proof']));
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('derives request bodies from the same zod schemas the API validates with', () => {
    const schema = doc.paths['/jobs']!.post!.requestBody!.content['application/json']!.schema;
    expect(schema.required).toEqual(['text']);
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(['jobId', 'text']);
  });
});

describe('requestIdOf: how a repeated action is recognised', () => {
  it('uses the Idempotency-Key header when given', () => {
    expect(requestIdOf(event('POST', '/x', {}, { 'Idempotency-Key': 'retry-1' }), 'approve', { a: 1 })).toBe('retry-1');
  });

  it('otherwise digests the action and the canonical body, so key order does not matter', () => {
    const a = requestIdOf(event('POST', '/x'), 'approve', { approved: true, approvedBy: 'ann' });
    const b = requestIdOf(event('POST', '/x'), 'approve', { approvedBy: 'ann', approved: true });
    expect(a).toBe(b);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(requestIdOf(event('POST', '/x'), 'reject', { approved: true, approvedBy: 'ann' })).not.toBe(a);
  });

  it('refuses a header that is not printable ASCII', () => {
    expect(() => requestIdOf(event('POST', '/x', {}, { 'idempotency-key': 'é' }), 'a', {})).toThrow(HttpError);
  });
});
