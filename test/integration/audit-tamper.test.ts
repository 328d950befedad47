/**
 * Tampering with a real log in LocalStack: each test writes a fresh log through AuditLog, then
 * edits DynamoDB items or S3 objects directly, the way someone with write access to the table or
 * the bucket could, and expects the verifier (the library, and `npm run audit -- verify`) to name
 * what was done.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { localAwsClientConfig, localAwsEnv } from '../../infra/local/config';
import { repoRoot } from '../../infra/local/paths';
import { canonicalJson } from '../../runtime/audit/canonical-json';
import { leafHash } from '../../runtime/audit/hashing';
import { toHex } from '../../runtime/audit/hex';
import { AnchorStore, AuditLog, anchorKey, signTreeHead, verifyLog, type ProblemCode, type SignedTreeHead, type VerifyReport } from '../../runtime/audit/log';
import { Ed25519Signer, PublicKeyRing } from '../../runtime/audit/signing';
import { dynamo, stack } from '../support/stack';

jest.setTimeout(300_000);

const aws = localAwsClientConfig;
const signer = Ed25519Signer.generate();
const s3 = new S3Client({ ...aws, forcePathStyle: true });
const anchors = () => new AnchorStore(s3, stack().AuditAnchorBucketName);
const log = () => new AuditLog({ dynamo: new DynamoDBClient(aws), table: stack().AuditTableName, signer, anchors: anchors() });
const table = () => stack().AuditTableName;
const db = dynamo();
const pad = (n: number) => String(n).padStart(16, '0');
const entry = (i: number) => `e#${pad(i)}`;
const sth = (n: number) => `s#${pad(n)}`;
let keys: PublicKeyRing;
let publicKeyFile: string;

beforeAll(async () => {
  keys = await PublicKeyRing.of(signer);
  publicKeyFile = join(mkdtempSync(join(tmpdir(), 'audit-tamper-')), 'audit.pub.pem');
  writeFileSync(publicKeyFile, await signer.publicKeyPem());
});

/** A fresh log of 6 events. */
async function freshLog(): Promise<string> {
  const logId = `audit-tamper-${randomUUID()}`;
  const l = log();
  for (let i = 0; i < 6; i++) await l.append(logId, { type: 'step', i, amount: 100 + i }, { idempotencyKey: `${logId}/${i}` });
  return logId;
}

const verify = (logId: string): Promise<VerifyReport> => verifyLog({ store: log().store, anchors: anchors(), keys, logId });
const codesOf = (r: VerifyReport): ProblemCode[] => [...new Set(r.problems.map((p) => p.code))].sort();
const item = async (logId: string, sk: string) => (await db.send(new GetCommand({ TableName: table(), Key: { logId, sk } }))).Item as Record<string, unknown>;
const set = (logId: string, sk: string, values: Record<string, unknown>) =>
  db.send(
    new UpdateCommand({
      TableName: table(),
      Key: { logId, sk },
      UpdateExpression: `SET ${Object.keys(values).map((k, i) => `#k${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(Object.keys(values).map((k, i) => [`#k${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(Object.values(values).map((v, i) => [`:v${i}`, v])),
    }),
  );

function cli(...args: string[]): { status: number | null; stdout: string } {
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'audit.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...localAwsEnv, AUDIT_TABLE: '', AUDIT_ANCHOR_BUCKET: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: res.status, stdout: res.stdout };
}

describe('the verifier names tampering done directly in DynamoDB and S3', () => {
  it('passes an untouched log, through the CLI too (exit 0)', async () => {
    const logId = await freshLog();
    expect((await verify(logId)).problems).toEqual([]);
    const { status, stdout } = cli('verify', logId, '--public-key', publicKeyFile);
    expect(stdout).toContain('✔ verified');
    expect(stdout).toContain('checked: 6 entries, 6 signed tree heads (12 signatures), 6 roots recomputed, 6 consistency proofs, 6 anchors');
    expect(status).toBe(0);
  });

  it('an altered event', async () => {
    const logId = await freshLog();
    await set(logId, entry(2), { event: canonicalJson({ amount: 1_000_000, i: 2, type: 'step' }) });
    const report = await verify(logId);
    expect(codesOf(report)).toEqual(['ENTRY_ALTERED']);
    expect(report.problems[0]).toMatchObject({ index: 2, message: expect.stringMatching(/^entry 2 altered: its event hashes to [0-9a-f]{64}, but its stored leafHash is/) });

    const { status, stdout } = cli('verify', logId, '--public-key', publicKeyFile, '--json');
    expect(status).toBe(1);
    expect((JSON.parse(stdout) as VerifyReport).problems).toEqual(report.problems);
  });

  it('an altered event with its leaf hash recomputed to match', async () => {
    const logId = await freshLog();
    const forged = canonicalJson({ amount: 1, i: 3, type: 'step' });
    await set(logId, entry(3), { event: forged, leafHash: toHex(leafHash(Buffer.from(forged))) });
    const report = await verify(logId);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'ENTRY_ALTERED', index: 3, message: expect.stringContaining('but the signed root is') })]);
  });

  it('a deleted entry', async () => {
    const logId = await freshLog();
    await db.send(new DeleteCommand({ TableName: table(), Key: { logId, sk: entry(4) } }));
    const report = await verify(logId);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'ENTRY_MISSING', index: 4, message: 'entry 4 is missing (deleted): the log has a gap at index 4' })]);
  });

  it('two entries swapped', async () => {
    const logId = await freshLog();
    const [a, b] = [await item(logId, entry(1)), await item(logId, entry(4))];
    await set(logId, entry(1), { event: b.event, leafHash: b.leafHash });
    await set(logId, entry(4), { event: a.event, leafHash: a.leafHash });
    const report = await verify(logId);
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'ENTRY_REORDERED', index: 1, message: "entries 1 and 4 were swapped: each holds the event that was signed at the other's index" }),
    ]);
  });

  it('a changed stored root', async () => {
    const logId = await freshLog();
    await set(logId, sth(3), { rootHash: 'ab'.repeat(32) });
    let report = await verify(logId);
    expect(codesOf(report)).toEqual(['ANCHOR_MISMATCH', 'STH_MALFORMED', 'STH_SIGNATURE_INVALID']);
    expect(report.problems.find((p) => p.code === 'STH_SIGNATURE_INVALID')).toMatchObject({ size: 3 });

    const other = await freshLog();
    await set(other, 'head', { rootHash: 'ab'.repeat(32) });
    report = await verify(other);
    expect(codesOf(report)).toEqual(['HEAD_INCONSISTENT']);
  });

  it('a dropped anchor', async () => {
    const logId = await freshLog();
    await s3.send(new DeleteObjectCommand({ Bucket: stack().AuditAnchorBucketName, Key: anchorKey(logId, 5) }));
    const report = await verify(logId);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'ANCHOR_MISSING', size: 5 })]);
  });

  it('an anchor rewritten with different content', async () => {
    const logId = await freshLog();
    const original = (await anchors().get(logId, 2)) as SignedTreeHead;
    const rewritten = { ...original, timestamp: original.timestamp + 1 };
    await s3.send(new PutObjectCommand({ Bucket: stack().AuditAnchorBucketName, Key: anchorKey(logId, 2), Body: canonicalJson(rewritten) }));
    const report = await verify(logId);
    expect(codesOf(report)).toEqual(['ANCHOR_MISMATCH', 'STH_SIGNATURE_INVALID']);
    expect(report.problems.find((p) => p.code === 'ANCHOR_MISMATCH')?.message).toContain('timestamp');
  });

  it('a forged signature, and a head re-signed with another key', async () => {
    const logId = await freshLog();
    const head = (await item(logId, 'head')).sth as SignedTreeHead;
    const rogue = Ed25519Signer.generate();
    const forged = await signTreeHead(rogue, head);
    // Same claimed key id, a signature by another key: invalid.
    await set(logId, sth(6), { signature: forged.signature });
    let report = await verify(logId);
    expect(report.problems.filter((p) => p.code === 'STH_SIGNATURE_INVALID')).toEqual([expect.objectContaining({ size: 6 })]);
    expect(codesOf(report)).toContain('ANCHOR_MISMATCH');

    // Honestly labelled with the rogue key: not a trusted key.
    await set(logId, sth(6), { signature: forged.signature, keyId: forged.keyId });
    report = await verify(logId);
    expect(report.problems.filter((p) => p.code === 'STH_UNKNOWN_KEY')).toEqual([expect.objectContaining({ size: 6 })]);
  });

  it('a rollback: last entry, its STH and the head rewound, while the anchor remembers', async () => {
    const logId = await freshLog();
    const previous = await item(logId, sth(5));
    await db.send(new DeleteCommand({ TableName: table(), Key: { logId, sk: entry(5) } }));
    await db.send(new DeleteCommand({ TableName: table(), Key: { logId, sk: sth(6) } }));
    const { sk: _sk, kind: _kind, peaks, ...sthFields } = previous;
    await db.send(new PutCommand({ TableName: table(), Item: { logId, sk: 'head', kind: 'head', treeSize: 5, rootHash: previous.rootHash, peaks, sth: sthFields } }));
    const report = await verify(logId);
    expect(report.problems.filter((p) => p.code === 'HEAD_ROLLED_BACK')).toEqual([
      expect.objectContaining({ size: 6, message: 'the head says size 5, but a head for size 6 was signed (S3 anchor): the log was rolled back' }),
    ]);
    expect(report.problems.filter((p) => p.code === 'ENTRY_MISSING')).toEqual([expect.objectContaining({ index: 5 })]);

    const { status, stdout } = cli('verify', logId, '--public-key', publicKeyFile);
    expect(status).toBe(1);
    expect(stdout).toContain('HEAD_ROLLED_BACK: the head says size 5, but a head for size 6 was signed');
  });

  it('says so for a log that does not exist, with a non-zero exit', async () => {
    const logId = `audit-never-${randomUUID()}`;
    expect(codesOf(await verify(logId))).toEqual(['LOG_NOT_FOUND']);
    const { status } = cli('verify', logId, '--public-key', publicKeyFile);
    expect(status).toBe(1);
  });
});
