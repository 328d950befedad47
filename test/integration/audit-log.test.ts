/**
 * The audit log against LocalStack's DynamoDB, S3 and KMS and the deployed API: many concurrent
 * appenders never fork the log or leave a gap, idempotency keys hold under retries and races, the
 * KMS signer works, anchors land in S3, and the HTTP proofs verify on the client side.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { localAwsClientConfig } from '../../infra/local/config';
import { canonicalJson } from '../../runtime/audit/canonical-json';
import { leafHash } from '../../runtime/audit/hashing';
import { fromHex, toHex } from '../../runtime/audit/hex';
import { AnchorStore, AuditLog, IdempotencyConflictError, verifyLog, type SignedTreeHead } from '../../runtime/audit/log';
import { rootOf } from '../../runtime/audit/merkle-tree';
import { Ed25519Signer, KmsSigner, PublicKeyRing, loadTrustedKeys, type Signer } from '../../runtime/audit/signing';
import { verifyConsistency, verifyInclusion } from '../../runtime/audit/verify';
import { stack } from '../support/stack';

jest.setTimeout(300_000);

const aws = localAwsClientConfig;
const signer = Ed25519Signer.generate();
const anchors = () => new AnchorStore(new S3Client({ ...aws, forcePathStyle: true }), stack().AuditAnchorBucketName);
/** One "client": its own SDK clients and AuditLog instance, as a separate worker process would have. */
const client = (s: Signer = signer, maxBatch?: number) =>
  new AuditLog({ dynamo: new DynamoDBClient(aws), table: stack().AuditTableName, signer: s, anchors: anchors(), ...(maxBatch ? { maxBatch } : {}) });
let keys: PublicKeyRing;

beforeAll(async () => {
  keys = await PublicKeyRing.of(signer);
});

describe('audit log in DynamoDB', () => {
  it.each([
    ['with group commit', undefined],
    ['one append per transaction', 1],
  ])('takes 50 concurrent appends from 5 clients (%s): indices 0..49 exactly once, root recomputes, verifier passes', async (mode, maxBatch) => {
    const logId = `audit-concurrency-${randomUUID()}`;
    const clients = Array.from({ length: 5 }, () => client(signer, maxBatch));
    const n = 50;
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => (clients[i % clients.length] as AuditLog).append(logId, { type: 'concurrent', i }, { idempotencyKey: `k-${i}` })),
    );
    const ms = Date.now() - started;
    const sum = (k: 'conflicts' | 'transactions') => clients.reduce((total, c) => total + c.stats[k], 0);
    console.log(`[audit] ${n} appends from ${clients.length} clients, ${mode}: ${ms} ms, ${((n / ms) * 1000).toFixed(1)} appends/s, ${sum('transactions')} transactions, ${sum('conflicts')} lost races retried`);

    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
    expect(results.every((r) => !r.duplicate && r.signedTreeHead.treeSize === r.index + 1)).toBe(true);

    const log = clients[0] as AuditLog;
    const head = await log.head(logId);
    const entries = await log.store.getEntries(logId, 0, 1000);
    expect(entries.map((e) => e.index)).toEqual([...Array(n).keys()]);
    expect(head?.treeSize).toBe(n);
    // Every event is there once, and the head's root is the RFC 6962 root of the entries as stored.
    expect(entries.map((e) => (JSON.parse(e.event) as { i: number }).i).sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
    expect(toHex(rootOf(entries.map((e) => leafHash(Buffer.from(e.event, 'utf8')))))).toBe(head?.rootHash);

    const report = await verifyLog({ store: log.store, anchors: anchors(), keys, logId });
    expect(report.problems).toEqual([]);
    expect(report.checked).toMatchObject({ entries: n, signedTreeHeads: n, consistencyProofs: n, anchors: n });
  });

  it('appends sequentially from one client without conflicts (the baseline throughput)', async () => {
    const logId = `audit-sequential-${randomUUID()}`;
    const log = client();
    const n = 30;
    const started = Date.now();
    for (let i = 0; i < n; i++) await log.append(logId, { type: 'seq', i });
    const ms = Date.now() - started;
    console.log(`[audit] ${n} sequential appends from 1 client: ${ms} ms, ${((n / ms) * 1000).toFixed(1)} appends/s (${(ms / n).toFixed(1)} ms each, anchor included)`);
    expect(log.stats).toEqual({ appends: n, duplicates: 0, conflicts: 0, transactions: n });
  });

  it('adds nothing for a retried idempotency key, even when 10 attempts race', async () => {
    const logId = `audit-idempotency-${randomUUID()}`;
    const event = { type: 'step.completed', step: 'charge' };
    const first = await client().append(logId, { type: 'workflow.started' }, { idempotencyKey: 'wf/run/1' });
    const racers = await Promise.all(Array.from({ length: 10 }, () => client().append(logId, event, { idempotencyKey: 'wf/run/2' })));
    expect(racers.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(racers.map((r) => r.index))).toEqual(new Set([1]));
    expect(new Set(racers.map((r) => r.signedTreeHead.rootHash)).size).toBe(1);

    const again = await client().append(logId, { type: 'workflow.started' }, { idempotencyKey: 'wf/run/1' });
    expect(again).toEqual({ ...first, duplicate: true });
    await expect(client().append(logId, { type: 'something else' }, { idempotencyKey: 'wf/run/1' })).rejects.toThrow(IdempotencyConflictError);
    expect((await client().head(logId))?.treeSize).toBe(2);

    // One client, one group commit holding new keys, a taken key and a key repeated within the batch.
    const one = client();
    const mixed = await Promise.all([
      one.append(logId, { type: 'a' }, { idempotencyKey: 'wf/run/3' }),
      one.append(logId, event, { idempotencyKey: 'wf/run/2' }),
      one.append(logId, { type: 'b' }, { idempotencyKey: 'wf/run/4' }),
      one.append(logId, { type: 'b' }, { idempotencyKey: 'wf/run/4' }),
      one.append(logId, { type: 'c' }),
    ]);
    expect(mixed.map((r) => [r.index, r.duplicate])).toEqual([
      [2, false],
      [1, true],
      [3, false],
      [3, true],
      [4, false],
    ]);
    const report = await verifyLog({ store: one.store, anchors: anchors(), keys, logId });
    expect(report.problems).toEqual([]);
    expect(report.treeSize).toBe(5);
  });

  it('re-anchors on retry when the anchor write was lost after the commit', async () => {
    const logId = `audit-reanchor-${randomUUID()}`;
    const failing = new AuditLog({ dynamo: new DynamoDBClient(aws), table: stack().AuditTableName, signer, anchors: anchors() });
    const put = jest.spyOn(AnchorStore.prototype, 'put').mockRejectedValueOnce(new Error('S3 unavailable'));
    await expect(failing.append(logId, { type: 'x' }, { idempotencyKey: 'once' })).rejects.toThrow('S3 unavailable');
    put.mockRestore();
    expect(await anchors().exists(logId, 1)).toBe(false);
    const retried = await client().append(logId, { type: 'x' }, { idempotencyKey: 'once' });
    expect(retried).toMatchObject({ index: 0, duplicate: true });
    expect(await anchors().exists(logId, 1)).toBe(true);
    expect((await verifyLog({ store: failing.store, anchors: anchors(), keys, logId })).ok).toBe(true);
  });

  it('signs with the stack KMS key (ECC_NIST_P256, ECDSA_SHA_256) and publishes the public key', async () => {
    const kms = new KMSClient(aws);
    const kmsSigner = new KmsSigner(kms, stack().AuditSigningKeyArn);
    const logId = `audit-kms-${randomUUID()}`;
    const log = client(kmsSigner);
    for (let i = 0; i < 3; i++) await log.append(logId, { type: 'kms', i });
    const head = await log.head(logId);
    expect(head?.signedTreeHead).toMatchObject({ algorithm: 'ecdsa-p256-sha256', keyId: await kmsSigner.keyId() });
    const ring = await loadTrustedKeys({ kmsKeyIds: [stack().AuditSigningKeyArn], kms: () => kms });
    const report = await verifyLog({ store: log.store, anchors: anchors(), keys: ring, logId });
    expect(report.problems).toEqual([]);
    expect((await anchors().publishedKeys()).get(await kmsSigner.keyId())).toBe(await kmsSigner.publicKeyPem());
    // The Ed25519 ring does not trust it.
    expect((await verifyLog({ store: log.store, keys, logId })).problems.map((p) => p.code)).toContain('STH_UNKNOWN_KEY');
  });
});

describe('audit log over HTTP', () => {
  const logId = `orders/${randomUUID()}`; // a slash: addressed as %2F
  const events = Array.from({ length: 7 }, (_, i) => ({ type: 'http', i }));
  const url = (path: string) => `${stack().ApiUrl}audit/${encodeURIComponent(logId)}${path}`;
  const get = async (path: string) => {
    const res = await fetch(url(path));
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const log = client();
    for (const e of events) await log.append(logId, e);
  });

  it('serves the log, paginated, with the signed head', async () => {
    const page1 = await get('?limit=3');
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ logId, treeSize: 7, from: 0, limit: 3, next: 3 });
    const page3 = await get('?from=6&limit=3');
    expect(page3.body).toMatchObject({ next: null, entries: [{ index: 6, event: events[6] }] });
    const entries = page1.body.entries as Array<{ index: number; leafHash: string; event: unknown }>;
    for (const e of entries) expect(e.leafHash).toBe(toHex(leafHash(Buffer.from(canonicalJson(e.event)))));
    const sth = page1.body.signedTreeHead as SignedTreeHead;
    expect(sth.rootHash).toBe(page1.body.rootHash);
  });

  it('serves inclusion proofs that verify against the signed root, for the current and an older size', async () => {
    for (const [index, treeSize] of [[2, undefined], [4, 5]] as const) {
      const { status, body } = await get(`/proof?index=${index}${treeSize ? `&treeSize=${treeSize}` : ''}`);
      expect(status).toBe(200);
      expect(body.leafHash).toBe(toHex(leafHash(Buffer.from(canonicalJson(events[index])))));
      const sth = body.signedTreeHead as SignedTreeHead;
      expect(sth.treeSize).toBe(treeSize ?? 7);
      verifyInclusion(fromHex(body.leafHash as string), index, body.treeSize as number, (body.auditPath as string[]).map((h) => fromHex(h)), fromHex(sth.rootHash));
    }
  });

  it('serves consistency proofs between older and newer sizes', async () => {
    const { status, body } = await get('/consistency?from=3&to=7');
    expect(status).toBe(200);
    const heads = body.signedTreeHeads as { from: SignedTreeHead; to: SignedTreeHead };
    expect([heads.from.rootHash, heads.to.rootHash]).toEqual([body.fromRoot, body.toRoot]);
    verifyConsistency(3, 7, fromHex(body.fromRoot as string), fromHex(body.toRoot as string), (body.proof as string[]).map((h) => fromHex(h)));
  });

  it('answers 400 naming the parameter, and 404 for an unknown log', async () => {
    expect(await get('?limit=0')).toMatchObject({ status: 400, body: { parameter: 'limit' } });
    expect(await get('?limit=1001')).toMatchObject({ status: 400, body: { parameter: 'limit' } });
    expect(await get('?from=-1')).toMatchObject({ status: 400, body: { parameter: 'from' } });
    expect(await get('/proof')).toMatchObject({ status: 400, body: { parameter: 'index' } });
    expect(await get('/proof?index=7')).toMatchObject({ status: 400, body: { parameter: 'index' } });
    expect(await get('/proof?index=1&treeSize=8')).toMatchObject({ status: 400, body: { parameter: 'treeSize' } });
    expect(await get('/consistency?from=5&to=4')).toMatchObject({ status: 400, body: { parameter: 'from' } });
    expect(await get('/consistency?from=x')).toMatchObject({ status: 400, body: { parameter: 'from' } });
    const res = await fetch(`${stack().ApiUrl}audit/no-such-log-${randomUUID()}`);
    expect(res.status).toBe(404);
  });
});
