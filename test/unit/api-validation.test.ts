import type { APIGatewayProxyEvent } from 'aws-lambda';
import { handler } from '../../api/handler';
import { baseUrl } from '../../api/http';
import { clientIdSchema } from '../../api/specs/route-spec';

/** Requests the API must refuse before it ever talks to Temporal: these need no server. */
function event(method: string, path: string, body?: string): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    body: body ?? null,
    headers: { Host: '127.0.0.1:4566' },
    isBase64Encoded: false,
    requestContext: { path: `/local${path}`, stage: 'local', apiId: 'abc123', domainName: '127.0.0.1:4566' },
  } as unknown as APIGatewayProxyEvent;
}

const call = async (method: string, path: string, body?: string) => {
  const res = await handler(event(method, path, body));
  return { status: res.statusCode, body: JSON.parse(res.body) as { error: string; errors?: Array<{ field: string; message: string }> } };
};

describe('API handler: client mistakes are 4xx, never 500', () => {
  it('400 for malformed JSON', async () => {
    const res = await call('POST', '/jobs', '{"text":');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: '(body)', message: 'malformed or missing JSON' }]);
  });

  it('400 for a missing body', async () => {
    expect((await call('POST', '/jobs')).status).toBe(400);
  });

  it('400 naming each invalid field: missing text, bad jobId, unknown field', async () => {
    const res = await call('POST', '/jobs', JSON.stringify({ jobId: '../etc', extra: 1 }));
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.field).sort()).toEqual(['extra', 'jobId', 'text']);
    expect(res.body.error).toContain('jobId: must be 1-64 characters');
  });

  it('400 for the ids "." and "..", which no client could address as a path segment', async () => {
    for (const jobId of ['.', '..']) {
      const res = await call('POST', '/jobs', JSON.stringify({ jobId, text: 'x' }));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'jobId', message: expect.stringContaining('not "." or ".."') }]);
    }
    // Dots inside an id stay fine.
    expect((await call('POST', '/trainings', JSON.stringify({ modelId: '..' }))).body.errors?.map((e) => e.field)).toContain('modelId');
    expect(['.x', 'a..b', '...'].map((id) => clientIdSchema.safeParse(id).success)).toEqual([true, true, true]);
  });

  it('400 for an empty text and for a text over 1 MiB', async () => {
    expect((await call('POST', '/jobs', JSON.stringify({ text: '' }))).body.errors?.[0]?.field).toBe('text');
    const big = await call('POST', '/jobs', JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 1) }));
    expect(big.status).toBe(400);
    expect(big.body.errors?.[0]?.message).toContain('at most 1048576 bytes');
  });

  it('404 for an unknown route and 405 for a wrong method', async () => {
    expect((await call('GET', '/nope')).status).toBe(404);
    expect((await call('DELETE', '/jobs')).status).toBe(405);
    expect((await call('PUT', '/jobs/abc')).status).toBe(405);
  });
});

describe('baseUrl', () => {
  const withContext = (requestContext: object, headers: Record<string, string> = {}) =>
    ({ headers, requestContext, path: '/jobs' }) as unknown as APIGatewayProxyEvent;

  afterEach(() => delete process.env.PUBLIC_API_URL);

  it("rebuilds LocalStack's path-style URL from the api id and stage", () => {
    expect(baseUrl(withContext({ domainName: '127.0.0.1:4566', apiId: 'abc123', stage: 'local' }))).toBe(
      'http://127.0.0.1:4566/_aws/execute-api/abc123/local',
    );
  });

  it("uses API Gateway's own domain and stage on AWS", () => {
    expect(baseUrl(withContext({ domainName: 'abc123.execute-api.eu-west-1.amazonaws.com', apiId: 'abc123', stage: 'prod' }))).toBe(
      'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    );
  });

  it('prefers PUBLIC_API_URL when it is configured', () => {
    process.env.PUBLIC_API_URL = 'https://api.example.com/v1/';
    expect(baseUrl(withContext({ domainName: 'x', apiId: 'y', stage: 'z' }))).toBe('https://api.example.com/v1');
  });
});
