import { stack } from '../support/stack';

/**
 * What LocalStack's API Gateway (4.13.1) answers at the edge of the local API, which the stack
 * builds from the route table (infra/constructs/http-api.ts). On AWS the same requests are answered
 * differently, because LocalStack ignores gateway response templates:
 * - an invalid body: locally the handler's 400 (the local stack has no request validators, since
 *   LocalStack would answer them `{"message":"Invalid request body"}`); on AWS the validator's 400,
 *   `{"error":"invalid request body: <rule>","errors":[{"field":"(body)",...}],"requestId":...}`;
 * - an unknown route: a 404 on both, with LocalStack's fixed body `{"message":"Missing
 *   Authentication Token"}` locally and `{"error":"no route for GET on this path; ...","requestId":...}` on AWS.
 */
const url = (path: string) => `${stack().ApiUrl}${path.replace(/^\//, '')}`;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url(path), {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: res.headers };
}

describe('the local API edge (LocalStack API Gateway)', () => {
  it('an invalid order body reaches the handler, whose 400 names each invalid field and its rule', async () => {
    const res = await call('POST', '/orders', {
      customer: { name: 'Ada', email: 'not-an-email' },
      items: [{ sku: 'sku-1', quantity: 0, unitPrice: 10 }],
      payment: { cardNumber: '4242424242424242' },
      shippingAddress: { name: 'Ada', line1: '1 Road', city: 'London', postalCode: 'N1', country: 'GB' },
      coupon: 'FREE',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = res.body as { error: string; errors: Array<{ field: string; message: string }> };
    expect(body.error).toMatch(/^invalid request: /);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: 'customer.email', message: 'must be an email address' },
        { field: 'items.0.quantity', message: 'must be at least 1' },
        { field: 'coupon', message: 'unknown field' },
      ]),
    );
  });

  it('malformed JSON is the handler\'s 400 too', async () => {
    const res = await call('POST', '/orders', '{"customer":');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errors: [{ field: '(body)', message: 'malformed or missing JSON' }] });
  });

  it("an unknown path is refused by API Gateway with 404 (the gateway response's status), in LocalStack's fixed body", async () => {
    const res = await call('GET', '/no-such-route');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(res.body).toEqual({ message: 'Missing Authentication Token' });
  });

  it('a known path with a method the route table lacks is refused at the edge too (the handler would say 405)', async () => {
    const res = await call('DELETE', '/orders');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: 'Missing Authentication Token' });
  });

  it('routes the table serves still reach the handler: an unknown order is its 404', async () => {
    const res = await call('GET', '/orders/no-such-order-e2e');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: expect.stringContaining('no-such-order-e2e') });
  });

  it('the audit routes reach the handler through the greedy /audit/{path+} resource, encoded slashes included', async () => {
    const res = await call('GET', `/audit/${encodeURIComponent('no-such/log')}/proof?index=0`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: expect.any(String), logId: 'no-such/log' });
  });
});
