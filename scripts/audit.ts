/**
 * `npm run audit -- <command> <logId> [...]`: read and verify audit logs.
 *
 *   verify <logId> [--json] [--public-key <pem>]... [--kms-key <id>]... [--trust-published] [--no-anchors]
 *   show   <logId> [--from N] [--limit N] [--json]
 *   proof  <logId> <index> [--tree-size N] [--json]
 *
 * Where: AUDIT_TABLE and AUDIT_ANCHOR_BUCKET (or --table/--bucket) with the usual AWS credentials;
 * unset, the local stack's outputs and LocalStack. Which keys are trusted: --public-key/--kms-key;
 * if neither, the signer configuration (AUDIT_SIGNING_KEY, AUDIT_SIGNING_KEY_FILE, AUDIT_KMS_KEY_ID)
 * or, locally, .local/audit/signing-key.pub.pem and the stack's KMS key. Exit code 0 only if
 * everything verified; 1 for a problem found; 2 for a usage error.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { localAwsClientConfig } from '../infra/local/config';
import { readStackOutputs } from '../infra/local/deploy';
import { stateRoot } from '../infra/local/paths';
import { fromHex } from '../runtime/audit/hex';
import { AnchorStore, AuditLogStore, checkTreeHeadSignature, inclusionProof, readLogPage, verifyLog, type VerifyReport } from '../runtime/audit/log';
import { loadTrustedKeys, localSigningKeyFile, publicKeyFileOf, type PublicKeyRing } from '../runtime/audit/signing';
import { isValidInclusion } from '../runtime/audit/verify';
import { leafHash } from '../runtime/audit/hashing';
import { toHex } from '../runtime/audit/hex';
import { canonicalJson } from '../runtime/audit/canonical-json';
import { runMain } from './run-main';

const USAGE = `usage: npm run audit -- verify <logId> [--json] [--public-key <pem>]... [--kms-key <id>]... [--trust-published] [--no-anchors]
       npm run audit -- show <logId> [--from N] [--limit N] [--json]
       npm run audit -- proof <logId> <index> [--tree-size N] [--json]
options: --table <name> --bucket <name> (default AUDIT_TABLE / AUDIT_ANCHOR_BUCKET, else the local stack)`;

class UsageError extends Error {}

interface Setup {
  store: AuditLogStore;
  anchors?: AnchorStore;
  kms: () => KMSClient;
  local: boolean;
  kmsKeyArn?: string;
}

function setup(values: { table?: string; bucket?: string }): Setup {
  const table = values.table ?? process.env.AUDIT_TABLE;
  if (table) {
    const bucket = values.bucket ?? process.env.AUDIT_ANCHOR_BUCKET;
    return {
      store: new AuditLogStore(new DynamoDBClient({}), table),
      ...(bucket ? { anchors: new AnchorStore(new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }), bucket) } : {}),
      kms: () => new KMSClient({}),
      local: false,
    };
  }
  const outputs = readStackOutputs();
  const aws = localAwsClientConfig;
  return {
    store: new AuditLogStore(new DynamoDBClient(aws), outputs.AuditTableName),
    anchors: new AnchorStore(new S3Client({ ...aws, forcePathStyle: true }), values.bucket ?? outputs.AuditAnchorBucketName),
    kms: () => new KMSClient(aws),
    local: true,
    kmsKeyArn: outputs.AuditSigningKeyArn,
  };
}

const int = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
};

async function trustedKeys(s: Setup, values: { 'public-key'?: string[]; 'kms-key'?: string[]; 'trust-published'?: boolean }): Promise<PublicKeyRing> {
  const ring = loadTrustedKeys({
    publicKeyFiles: values['public-key'] ?? [],
    kmsKeyIds: values['kms-key'] ?? [],
    kms: s.kms,
    env: process.env,
    defaultKeyFiles: s.local ? [publicKeyFileOf(localSigningKeyFile(stateRoot))] : [],
    defaultKmsKeyIds: s.local && s.kmsKeyArn ? [s.kmsKeyArn] : [],
    ...(values['trust-published'] && s.anchors ? { published: await s.anchors.publishedKeys() } : {}),
  });
  return ring.catch((err: Error) => {
    throw new UsageError(`cannot load the trusted keys: ${err.message}`);
  });
}

function printReport(report: VerifyReport): void {
  const c = report.checked;
  console.log(`audit log ${JSON.stringify(report.logId)}: size ${report.treeSize}, root ${report.rootHash ?? '(none)'}`);
  console.log(`trusted keys: ${report.trustedKeys.map((k) => `${k.keyId.slice(0, 16)}… (${k.algorithm}, ${k.source})`).join('; ') || '(none)'}`);
  console.log(
    `checked: ${c.entries} entries, ${c.signedTreeHeads} signed tree heads (${c.signatures} signatures), ${c.rootsRecomputed} roots recomputed, ` +
      `${c.consistencyProofs} consistency proofs, ${c.anchors === null ? 'anchors not checked' : `${c.anchors} anchors`}, ${c.checkpoints} checkpoints`,
  );
  if (report.ok) {
    console.log(c.anchors === null ? '✔ verified: every entry, root and signature checks out (anchors not checked)' : '✔ verified: every entry, root, signature and anchor checks out');
    return;
  }
  console.log(`✘ ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}:`);
  for (const p of report.problems) console.log(`  ${p.code}: ${p.message}`);
}

async function verify(logId: string, values: Parameters<typeof trustedKeys>[1] & { json?: boolean; 'no-anchors'?: boolean; table?: string; bucket?: string }): Promise<void> {
  const s = setup(values);
  const keys = await trustedKeys(s, values);
  const report = await verifyLog({ store: s.store, ...(s.anchors && !values['no-anchors'] ? { anchors: s.anchors } : {}), keys, logId });
  if (keys.size === 0) report.problems.unshift({ code: 'STH_UNKNOWN_KEY', message: 'no trusted public key: pass --public-key <pem> or --kms-key <id>' });
  report.ok = report.problems.length === 0;
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
  process.exitCode = report.ok ? 0 : 1;
}

async function show(logId: string, values: { from?: string; limit?: string; json?: boolean; table?: string; bucket?: string }): Promise<void> {
  const s = setup(values);
  const page = await readLogPage(s.store, logId, int('--from', values.from) ?? 0, int('--limit', values.limit) ?? 100);
  if (values.json) {
    console.log(JSON.stringify(page, null, 2));
    return;
  }
  const sth = page.signedTreeHead;
  console.log(`audit log ${JSON.stringify(logId)}: size ${page.treeSize}, root ${page.rootHash}`);
  console.log(`signed ${new Date(sth.timestamp).toISOString()} by ${sth.keyId} (${sth.algorithm})`);
  for (const e of page.entries) console.log(`  #${e.index}  ${e.leafHash.slice(0, 16)}…  ${canonicalJson(e.event)}`);
  if (page.next !== null) console.log(`  … more from --from ${page.next}`);
}

async function proof(logId: string, indexText: string | undefined, values: { 'tree-size'?: string; json?: boolean; table?: string; bucket?: string } & Parameters<typeof trustedKeys>[1]): Promise<void> {
  const index = int('<index>', indexText);
  if (index === undefined) throw new UsageError('proof needs an <index>');
  const s = setup(values);
  const res = await inclusionProof(s.store, logId, index, int('--tree-size', values['tree-size']));
  // Check it the way a client would: the stored event hashes to the leaf, the path leads to the signed root.
  const [entry] = await s.store.getEntries(logId, index, index + 1);
  const keys = await trustedKeys(s, values);
  const leafOk = entry !== undefined && toHex(leafHash(Buffer.from(entry.event, 'utf8'))) === res.leafHash;
  const pathOk = isValidInclusion(fromHex(res.leafHash), index, res.treeSize, res.auditPath.map((h) => fromHex(h)), fromHex(res.signedTreeHead?.rootHash ?? res.rootHash));
  const sigOk = res.signedTreeHead !== null && checkTreeHeadSignature(res.signedTreeHead, keys).ok;
  const verified = { eventHashesToLeaf: leafOk, pathLeadsToSignedRoot: pathOk && res.signedTreeHead?.rootHash === res.rootHash, signatureValid: sigOk };
  if (values.json) console.log(JSON.stringify({ ...res, event: entry ? (JSON.parse(entry.event) as unknown) : null, verified }, null, 2));
  else {
    console.log(`inclusion proof of entry ${index} in ${JSON.stringify(logId)} at size ${res.treeSize}`);
    console.log(`  leaf      ${res.leafHash}`);
    res.auditPath.forEach((h, i) => console.log(`  path[${i}]   ${h}`));
    console.log(`  root      ${res.rootHash}`);
    console.log(`  event     ${entry?.event ?? '(missing)'}`);
    console.log(`  ${leafOk ? '✔' : '✘'} the event hashes to the leaf   ${verified.pathLeadsToSignedRoot ? '✔' : '✘'} the path leads to the signed root   ${sigOk ? '✔' : '✘'} the signature verifies`);
  }
  process.exitCode = Object.values(verified).every(Boolean) ? 0 : 1;
}

runMain(async () => {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        'public-key': { type: 'string', multiple: true },
        'kms-key': { type: 'string', multiple: true },
        'trust-published': { type: 'boolean' },
        'no-anchors': { type: 'boolean' },
        from: { type: 'string' },
        limit: { type: 'string' },
        'tree-size': { type: 'string' },
        table: { type: 'string' },
        bucket: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const [command, logId, extra] = parsed.positionals;
  if (parsed.values.help || command === undefined) {
    console.log(USAGE);
    process.exitCode = parsed.values.help ? 0 : 2;
    return;
  }
  try {
    if (logId === undefined) throw new UsageError(`${command} needs a <logId> (a workflow id, or ${JSON.stringify('global/checkpoints')})`);
    if (command === 'verify') await verify(logId, parsed.values);
    else if (command === 'show') await show(logId, parsed.values);
    else if (command === 'proof') await proof(logId, extra, parsed.values);
    else throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n${USAGE}`);
    process.exitCode = 2;
  }
});
