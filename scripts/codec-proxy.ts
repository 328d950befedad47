/**
 * `npm run codec-proxy -- --api <ApiUrl> [--port 8081] [--region <r>]`: a codec endpoint on this
 * machine for the Temporal CLI and UI, which cannot sign requests with SigV4. It forwards only
 * `POST /codec/encode` and `POST /codec/decode` to the API, signed with your AWS credentials (the
 * default chain), so it works exactly when those credentials hold the CodecOperators policy.
 * Listens on 127.0.0.1 only: anyone who can reach it decrypts payloads as you.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array => (typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape SignatureV4 asks for. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

const CODEC_PATHS = new Set(['/codec/encode', '/codec/decode']);

export interface CodecProxy {
  readonly url: string;
  close(): Promise<void>;
}

/** The region of an execute-api URL (`https://<id>.execute-api.<region>.amazonaws.com/<stage>/`), if it is one. */
export function regionOfApiUrl(apiUrl: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(new URL(apiUrl).host)?.[1];
}

export async function startCodecProxy(options: { apiUrl: string; region: string; credentials: () => Promise<Credentials>; port?: number }): Promise<CodecProxy> {
  const base = new URL(options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
  const signer = new SignatureV4({ service: 'execute-api', region: options.region, credentials: options.credentials, sha256: Sha256 });
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    // The UI sends a CORS preflight from its own origin; answer it here, since only this machine can reach the proxy.
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': req.headers.origin ?? '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, x-namespace, authorization' }).end();
      return;
    }
    if (req.method !== 'POST' || !CODEC_PATHS.has(path)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `this proxy forwards only POST /codec/encode and POST /codec/decode, not ${req.method} ${path}` }));
      return;
    }
    void (async () => {
      const body = await read(req);
      const target = new URL(path.slice(1), base);
      const signed = await signer.sign({
        method: 'POST',
        protocol: target.protocol,
        hostname: target.hostname,
        ...(target.port ? { port: Number(target.port) } : {}),
        path: target.pathname,
        headers: { host: target.host, 'content-type': 'application/json', ...(req.headers['x-namespace'] ? { 'x-namespace': String(req.headers['x-namespace']) } : {}) },
        body,
      });
      const answer = await fetch(target, { method: 'POST', headers: signed.headers, body });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'access-control-allow-origin': req.headers.origin ?? '*' }).end(Buffer.from(await answer.arrayBuffer()));
    })().catch((err: unknown) => {
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `could not forward to ${base.href}: ${String(err)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8081, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/codec`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const apiUrl = argValue(args, '--api');
  if (!apiUrl || !/^https?:\/\//.test(apiUrl)) throw new Error('--api must be the stack\'s ApiUrl output, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod/');
  const region = argValue(args, '--region') ?? regionOfApiUrl(apiUrl) ?? process.env.AWS_REGION;
  if (!region) throw new Error('--region is needed: the API URL does not name one and AWS_REGION is unset');
  const rawPort = argValue(args, '--port') ?? '8081';
  if (!/^\d+$/.test(rawPort) || Number(rawPort) < 1 || Number(rawPort) > 65535) throw new Error(`--port must be a TCP port (1-65535), got "${rawPort}"`);
  const proxy = await startCodecProxy({ apiUrl, region, credentials: defaultProvider(), port: Number(rawPort) });
  process.stdout.write(`codec endpoint for the Temporal CLI and UI: ${proxy.url} (forwarding to ${apiUrl}, signed for ${region}); Ctrl-C stops it\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`codec-proxy: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
