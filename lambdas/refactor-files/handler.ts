import { PutObjectCommand } from '@aws-sdk/client-s3';
import { functionHandler, type StepLogger } from '../../runtime/steps/handler';
import { fileKey, readObject, sha256Hex, SnapshotIntegrityError } from '../shared/analysis/snapshot';
import { applyTransform } from '../shared/analysis/transforms';
import { s3 } from '../shared/aws';
import { refactorFiles, type AppliedFile, type RefactorApplyInput, type RefactorApplyResult, type RefactorRollbackInput, type RefactorRollbackResult, type RestoredFile } from './steps';

/**
 * Applies one refactoring batch to snapshot files in S3 (a versioned bucket), or rolls a batch back.
 *
 * apply: each file is transformed with the TypeScript compiler API and written as a new object
 * version tagged with the batch id and the version it replaced, so a retried apply finds its own
 * earlier write and reports the original previous version (the rollback target) again, instead of
 * the half-applied one. If the batch fails part-way, the files it already wrote are restored before
 * the error is reported.
 *
 * rollback: each file's previous version is written back as the current one (a new version with
 * the old bytes), and the restored bytes' SHA-256 is checked against that version's.
 */
const META_BATCH = 'stepless-batch';
const META_PREVIOUS = 'stepless-previous-version';
const META_RESTORED_FROM = 'stepless-restored-from';

async function restore(bucket: string, key: string, previousVersionId: string): Promise<{ versionId: string; sha256: string }> {
  // The previous version's bytes written back as the newest version. (A CopyObject of the old
  // version onto its own key does the same on AWS; LocalStack refuses that copy, a Put works on both.)
  const original = await readObject(s3, bucket, key, previousVersionId);
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: original.bytes, ContentType: 'text/plain; charset=utf-8', Metadata: { [META_RESTORED_FROM]: previousVersionId } }));
  const now = await readObject(s3, bucket, key, put.VersionId);
  const sha256 = sha256Hex(now.bytes);
  if (sha256 !== sha256Hex(original.bytes)) throw new SnapshotIntegrityError(`${key}: restored bytes (${sha256}) differ from version ${previousVersionId}`);
  return { versionId: put.VersionId ?? 'null', sha256 };
}

async function apply(input: RefactorApplyInput, log: StepLogger): Promise<RefactorApplyResult> {
  const { bucket, prefix } = input.snapshot;
  const applied: AppliedFile[] = [];
  try {
    for (const file of input.files) {
      const key = fileKey(prefix, file.path);
      const current = await readObject(s3, bucket, key);
      if (!current.versionId || current.versionId === 'null') throw new SnapshotIntegrityError(`s3://${bucket} is not versioned: a batch could not be rolled back`);
      const ownEarlierWrite = current.metadata[META_BATCH] === input.batchId && current.metadata[META_PREVIOUS];
      const previousVersionId = ownEarlierWrite ? current.metadata[META_PREVIOUS]! : current.versionId;
      const previous = ownEarlierWrite ? await readObject(s3, bucket, key, previousVersionId) : current;
      const before = Buffer.from(previous.bytes).toString('utf8');
      const { text, edits } = applyTransform(file.path, before, { transform: input.transform, ...(file.names ? { names: file.names } : {}) });
      let versionId = previousVersionId;
      if (ownEarlierWrite) {
        versionId = current.versionId;
      } else if (edits > 0) {
        const put = await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'text/plain; charset=utf-8', Metadata: { [META_BATCH]: input.batchId, [META_PREVIOUS]: previousVersionId } }),
        );
        versionId = put.VersionId ?? 'null';
      }
      applied.push({ path: file.path, previousVersionId, versionId, edits, sha256Before: sha256Hex(previous.bytes), sha256After: sha256Hex(text) });
      log.info('file transformed', { batchId: input.batchId, transform: input.transform, path: file.path, edits, versionId });
    }
  } catch (err) {
    for (const a of applied.filter((x) => x.versionId !== x.previousVersionId)) await restore(bucket, fileKey(prefix, a.path), a.previousVersionId);
    throw err;
  }
  return { op: 'apply', batchId: input.batchId, applied };
}

async function rollback(input: RefactorRollbackInput, log: StepLogger): Promise<RefactorRollbackResult> {
  const restored: RestoredFile[] = [];
  for (const file of input.files) {
    const { versionId, sha256 } = await restore(input.snapshot.bucket, fileKey(input.snapshot.prefix, file.path), file.previousVersionId);
    restored.push({ path: file.path, restoredFrom: file.previousVersionId, versionId, sha256 });
    log.info('file restored', { batchId: input.batchId, path: file.path, restoredFrom: file.previousVersionId, versionId });
  }
  return { op: 'rollback', batchId: input.batchId, restored };
}

export const handler = functionHandler(refactorFiles, {
  apply: (input, { log }) => apply(input, log),
  rollback: (input, { log }) => rollback(input, log),
});
