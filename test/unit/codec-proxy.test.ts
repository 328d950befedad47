import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { regionOfApiUrl, startCodecProxy, type CodecProxy } from '../../scripts/codec-proxy';

interface Forwarded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the codec proxy (SigV4 for the Temporal CLI and UI)', () => {
  const forwarded: Forwarded[] = [];
  let api: Server;
  let proxy: CodecProxy;
  beforeAll(async () => {
    // Stands in for API Gateway's stage URL: records what arrives, answers like the codec route.
    api = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        forwarded.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"payloads":[]}');
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/prod/`;
    proxy = await startCodecProxy({ apiUrl, region: 'eu-west-1', port: 0, credentials: () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' }) });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => api.close(resolve));
  });

  it('forwards POST /codec/decode to the stage, signed for execute-api in the region, body intact, and relays the answer', async () => {
    const body = JSON.stringify({ payloads: [{ metadata: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==' }, data: 'AAEC' }] });
    const res = await fetch(`${proxy.url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default' }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ payloads: [] });
    const [call] = forwarded.splice(0);
    expect(call).toMatchObject({ method: 'POST', path: '/prod/codec/decode', body });
    expect(call!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
    expect(call!.headers['x-amz-security-token']).toBe('session-token');
    expect(call!.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('signs the body: another body gets another signature', async () => {
    const signatureFor = async (data: string) => {
      await fetch(`${proxy.url}/encode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payloads: [{ data }] }) });
      return /Signature=([0-9a-f]+)/.exec(forwarded.splice(0)[0]!.headers.authorization ?? '')?.[1];
    };
    expect(await signatureFor('AAAA')).not.toBe(await signatureFor('BBBB'));
  });

  it('forwards nothing but the two codec routes', async () => {
    for (const [method, path] of [['GET', '/codec/decode'], ['POST', '/orders'], ['POST', '/codec/decode/../../orders']]) {
      const res = await fetch(`${proxy.url.replace(/\/codec$/, '')}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    expect(forwarded).toEqual([]);
  });

  it('reads the region from an execute-api URL', () => {
    expect(regionOfApiUrl('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/')).toBe('eu-west-1');
    expect(regionOfApiUrl('https://api.example.com/')).toBeUndefined();
  });
});
