import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parseAuditPath, routeAudit } from '../../../api/audit';
import { HttpError } from '../../../api/http';

/** The audit routes' path and parameter handling; no AWS needed (validation runs before any read). */
const event = (path: string, query: Record<string, string> = {}, method = 'GET') =>
  ({ path, httpMethod: method, queryStringParameters: Object.keys(query).length ? query : null }) as unknown as APIGatewayProxyEvent;

async function rejection(e: APIGatewayProxyEvent): Promise<HttpError> {
  try {
    await routeAudit(e);
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('expected an HttpError');
}

describe('GET /audit paths', () => {
  it('reads the log id as one percent-encoded segment, slashes included', () => {
    expect(parseAuditPath('/audit/text-stats-abc')).toEqual({ logId: 'text-stats-abc', action: 'log' });
    expect(parseAuditPath('/audit/global%2Fcheckpoints/proof')).toEqual({ logId: 'global/checkpoints', action: 'proof' });
    expect(parseAuditPath('/audit/a%20b%25c/consistency')).toEqual({ logId: 'a b%c', action: 'consistency' });
    expect(parseAuditPath('/audit/x/')).toEqual({ logId: 'x', action: 'log' });
  });

  it('also accepts a path whose %2F the gateway already decoded', () => {
    expect(parseAuditPath('/audit/global/checkpoints')).toEqual({ logId: 'global/checkpoints', action: 'log' });
    expect(parseAuditPath('/audit/global/checkpoints/proof')).toEqual({ logId: 'global/checkpoints', action: 'proof' });
    // A log literally named "proof" is still a log.
    expect(parseAuditPath('/audit/proof')).toEqual({ logId: 'proof', action: 'log' });
  });

  it('refuses bad encoding and empty ids', () => {
    expect(() => parseAuditPath('/audit/%E0%A4%A')).toThrow('not valid percent-encoding');
    expect(() => parseAuditPath('/audit/')).toThrow(HttpError);
  });
});

describe('GET /audit parameters', () => {
  it.each([
    ['/audit/x', { limit: '0' }, 'limit', 'query parameter limit must be an integer from 1 to 1000, got "0"'],
    ['/audit/x', { limit: '1001' }, 'limit', 'from 1 to 1000'],
    ['/audit/x', { from: '-1' }, 'from', 'query parameter from must be an integer >= 0, got "-1"'],
    ['/audit/x', { from: '1.5' }, 'from', 'integer'],
    ['/audit/x/proof', {}, 'index', 'query parameter index is required'],
    ['/audit/x/proof', { index: 'a' }, 'index', 'integer'],
    ['/audit/x/proof', { index: '1', treeSize: '0' }, 'treeSize', 'integer >= 1'],
    ['/audit/x/consistency', {}, 'from', 'query parameter from is required'],
    ['/audit/x/consistency', { from: '1', to: 'z' }, 'to', 'integer'],
  ])('%s %j is a 400 naming %s', async (path, query, parameter, message) => {
    const err = await rejection(event(path, query));
    expect(err).toBeInstanceOf(HttpError);
    expect(err.statusCode).toBe(400);
    expect(err.details).toEqual({ parameter });
    expect(err.message).toContain(message);
  });

  it('allows only GET', async () => {
    expect((await rejection(event('/audit/x', {}, 'POST'))).statusCode).toBe(405);
  });
});
