import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { IssuerKeys, isOperator, verifyJwt, type JwtSettings } from '../../api/auth/jwt';
import { handler, stagePolicy } from '../../api/jwt-authorizer';

/** A real OIDC issuer on a loopback port: its discovery document and key set, with request counts. */
async function issuer(keys: Array<{ kid: string; publicKey: KeyObject; alg: string }>): Promise<{ url: string; requests: string[]; setKeys: (k: typeof keys) => void; close: () => Promise<void> }> {
  const requests: string[] = [];
  let current = keys;
  let url = '';
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/.well-known/openid-configuration') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: url, jwks_uri: `${url}/keys` }));
    else if (req.url === '/keys') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: current.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })) }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, setKeys: (k) => (current = k), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
function token(privateKey: KeyObject, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const ec = header.alg === 'ES256';
  const signature = sign('sha256', Buffer.from(input), ec ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = Math.floor(Date.now() / 1000);

describe('JWT bearer tokens from an OIDC issuer', () => {
  let idp: Awaited<ReturnType<typeof issuer>>;
  let settings: JwtSettings;
  let keys: IssuerKeys;
  beforeAll(async () => {
    idp = await issuer([{ kid: 'rsa-1', publicKey: rsa.publicKey, alg: 'RS256' }, { kid: 'ec-1', publicKey: ec.publicKey, alg: 'ES256' }]);
    settings = { issuer: idp.url, audience: ['stepless-api', 'cognito-client-id'], codecScope: 'stepless/codec', codecGroup: 'operators' };
    keys = new IssuerKeys(idp.url, { refetchAfterMs: 0 });
  });
  afterAll(() => idp.close());
  const good = () => ({ iss: idp.url, aud: 'stepless-api', sub: 'app-1', exp: now + 300 });

  it('accepts RS256 and ES256 tokens signed by the issuer\'s published keys, and a Cognito access token by client_id', async () => {
    await expect(verifyJwt(token(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, good()), settings, keys)).resolves.toMatchObject({ sub: 'app-1' });
    await expect(verifyJwt(token(ec.privateKey, { alg: 'ES256', kid: 'ec-1' }, good()), settings, keys)).resolves.toMatchObject({ sub: 'app-1' });
    const { aud: _aud, ...noAud } = good();
    await expect(verifyJwt(token(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { ...noAud, client_id: 'cognito-client-id', token_use: 'access' }), settings, keys)).resolves.toMatchObject({ client_id: 'cognito-client-id' });
    // Discovery and the key set were fetched once, not per token.
    expect(idp.requests.filter((r) => r === '/keys')).toHaveLength(1);
  });

  it.each<[string, () => string, RegExp]>([
    ['another key signed it', () => token(other.privateKey, { alg: 'RS256', kid: 'rsa-1' }, good()), /signature does not verify/],
    ['the claims were changed after signing', () => { const [h, , s] = token(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, good()).split('.'); return `${h}.${b64({ ...good(), sub: 'admin' })}.${s}`; }, /signature does not verify/],
    ['alg none', () => `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64(good())}.`, /algorithm "none" is not accepted/],
    ['a shared-secret algorithm', () => token(rsa.privateKey, { alg: 'HS256', kid: 'rsa-1' }, good()), /algorithm "HS256" is not accepted/],
    ['an algorithm that does not match the key', () => token(rsa.privateKey, { alg: 'ES256', kid: 'rsa-1' }, good()), /does not match its key/],
    ['another issuer', () => token(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { ...good(), iss: 'https://evil.example.com' }), /issuer "https:\/\/evil.example.com" is not/],
    ['another audience', () => token(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { ...good(), aud: 'other-api' }), /audience \(aud or client_id\) is none of stepless-api, cognito-client-id/],
    ['expiry', () => token(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { ...good(), exp: now - 3600 }), /has expired/],
    ['not before', () => token(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { ...good(), nbf: now + 3600 }), /not valid yet/],
    ['an unknown key id', () => token(rsa.privateKey, { alg: 'RS256', kid: 'gone' }, good()), /no signing key with kid "gone"/],
    ['garbage', () => 'not-a-token', /not a compact JWS/],
  ])('refuses a token when %s', async (_what, make, message) => {
    await expect(verifyJwt(make(), settings, keys)).rejects.toThrow(message);
  });

  it('picks up a rotated key by refetching the key set for an unknown kid', async () => {
    const next = generateKeyPairSync('rsa', { modulusLength: 2048 });
    idp.setKeys([{ kid: 'rsa-2', publicKey: next.publicKey, alg: 'RS256' }]);
    await expect(verifyJwt(token(next.privateKey, { alg: 'RS256', kid: 'rsa-2' }, good()), settings, keys)).resolves.toMatchObject({ sub: 'app-1' });
    idp.setKeys([{ kid: 'rsa-1', publicKey: rsa.publicKey, alg: 'RS256' }, { kid: 'ec-1', publicKey: ec.publicKey, alg: 'ES256' }]);
  });

  it('makes a token an operator\'s by the codec scope (scope or scp) or the codec group, and no other way', () => {
    const base = { exp: now + 60 };
    expect(isOperator({ ...base, scope: 'stepless/api stepless/codec' }, settings)).toBe(true);
    expect(isOperator({ ...base, scp: ['stepless/codec'] }, settings)).toBe(true);
    expect(isOperator({ ...base, 'cognito:groups': ['operators'] }, settings)).toBe(true);
    expect(isOperator({ ...base, groups: ['operators'] }, settings)).toBe(true);
    expect(isOperator({ ...base, scope: 'stepless/api', groups: ['developers'] }, settings)).toBe(false);
    expect(isOperator({ ...base, scope: 'stepless/codec-reader' }, settings)).toBe(false);
  });
});

describe('the token authorizer', () => {
  const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders/42';
  const operatorRoutes = ['POST /codec/decode', 'POST /codec/encode'];

  it('allows the whole stage (so a cached answer fits every route) and denies the codec routes to applications', () => {
    expect(stagePolicy(methodArn, 'app-1', false, operatorRoutes).policyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*'] },
      { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/codec/decode', 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/codec/encode'] },
    ]);
    expect(stagePolicy(methodArn, 'ops-1', true, operatorRoutes).policyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*'] }]);
  });

  it('answers a verified bearer token with the caller\'s policy, and anything else with Unauthorized', async () => {
    const idp = await issuer([{ kid: 'rsa-1', publicKey: rsa.publicKey, alg: 'RS256' }]);
    Object.assign(process.env, { JWT_ISSUER: idp.url, JWT_AUDIENCE: 'stepless-api', JWT_CODEC_SCOPE: 'stepless/codec', OPERATOR_ROUTES: operatorRoutes.join(',') });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const operator = token(rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, { iss: idp.url, aud: 'stepless-api', sub: 'ops-1', exp: now + 300, scope: 'stepless/codec' });
      const answer = await handler({ type: 'TOKEN', methodArn, authorizationToken: `Bearer ${operator}` });
      expect(answer).toMatchObject({ principalId: 'ops-1', context: { operator: 'true' } });
      expect(answer.policyDocument.Statement).toHaveLength(1);
      await expect(handler({ type: 'TOKEN', methodArn, authorizationToken: operator })).rejects.toThrow(/^Unauthorized$/);
      await expect(handler({ type: 'TOKEN', methodArn, authorizationToken: `Bearer ${operator}x` })).rejects.toThrow(/^Unauthorized$/);
      expect(warn.mock.calls.map((c) => (JSON.parse(c[0] as string) as { reason: string }).reason)).toEqual(['the Authorization header is not "Bearer <token>"', 'the token\'s signature does not verify']);
    } finally {
      warn.mockRestore();
      for (const k of ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_CODEC_SCOPE', 'OPERATOR_ROUTES']) delete process.env[k];
      await idp.close();
    }
  });
});
