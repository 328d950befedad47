/**
 * External anchors: every signed tree head is also written to S3, as
 * `<logId>/sth/<size, 16 digits>.json` holding the STH's canonical JSON. On AWS the bucket has
 * S3 Object Lock in compliance mode, so for the retention period no one (root included) can
 * delete or overwrite an anchored head: a later rewrite of the DynamoDB table cannot be squared
 * with the heads already anchored. Signers' public keys are published next to them as
 * `_keys/<keyId>.pem`.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { canonicalJson } from '../canonical-json';
import { padded } from './items';
import { parseSth } from './store';
import type { SignedTreeHead } from './types';

export const KEYS_PREFIX = '_keys/';

export const anchorKey = (logId: string, size: number): string => `${logId}/sth/${padded(size)}.json`;
const anchorPrefix = (logId: string): string => `${logId}/sth/`;

/** One object version of an anchor (the only version on an unversioned bucket). */
export interface AnchorVersion {
  versionId?: string;
  lastModified?: Date;
  /** The parsed STH (undefined for a delete marker or unreadable content). */
  sth?: SignedTreeHead;
  /** The raw text, as stored. */
  body?: string;
  /** Why the body could not be read as an STH. */
  error?: string;
}

/** An anchor object with its history. */
export interface AnchorRecord {
  size: number;
  key: string;
  /** Content versions, oldest first (S3 lists a key's versions newest first). */
  versions: AnchorVersion[];
  /** The current version is a delete marker: the object looks deleted, older versions remain. */
  deleted: boolean;
}

const isNotFound = (err: unknown): boolean =>
  err instanceof NoSuchKey || err instanceof NotFound || ['NoSuchKey', 'NotFound', 'NoSuchVersion'].includes((err as Error)?.name);

export class AnchorStore {
  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** The bytes written for `sth`: its canonical JSON. */
  static body(sth: SignedTreeHead): string {
    return canonicalJson(sth);
  }

  async put(sth: SignedTreeHead): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: anchorKey(sth.logId, sth.treeSize),
        Body: AnchorStore.body(sth),
        ContentType: 'application/json',
        // Object Lock needs an integrity checksum on every write.
        ChecksumAlgorithm: 'SHA256',
      }),
    );
  }

  async exists(logId: string, size: number): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: anchorKey(logId, size) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** The current anchor for `size`, or undefined. */
  async get(logId: string, size: number): Promise<SignedTreeHead | undefined> {
    const text = await this.getText(anchorKey(logId, size));
    return text === undefined ? undefined : parseSth(JSON.parse(text) as never, `anchor ${anchorKey(logId, size)}`);
  }

  /**
   * Every anchor of `logId` with every version (a versioned, Object-Locked bucket keeps
   * overwritten and "deleted" versions; an unversioned bucket has one version per object).
   */
  async list(logId: string): Promise<AnchorRecord[]> {
    const prefix = anchorPrefix(logId);
    const byKey = new Map<string, AnchorVersion[]>();
    const deleted = new Set<string>();
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    let versioned = true;
    try {
      do {
        const res = await this.s3.send(new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
        for (const v of res.Versions ?? []) push(byKey, v.Key ?? '', { versionId: v.VersionId, lastModified: v.LastModified });
        for (const d of res.DeleteMarkers ?? []) {
          if (d.IsLatest) deleted.add(d.Key ?? '');
          if (!byKey.has(d.Key ?? '')) byKey.set(d.Key ?? '', []);
        }
        keyMarker = res.IsTruncated ? res.NextKeyMarker : undefined;
        versionMarker = res.IsTruncated ? res.NextVersionIdMarker : undefined;
      } while (keyMarker !== undefined);
    } catch (err) {
      // Without s3:ListBucketVersions, fall back to the current objects only.
      if ((err as Error)?.name !== 'AccessDenied' && (err as Error)?.name !== 'NotImplemented') throw err;
      versioned = false;
    }
    if (!versioned) {
      byKey.clear();
      deleted.clear();
      let token: string | undefined;
      do {
        const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of res.Contents ?? []) push(byKey, o.Key ?? '', { lastModified: o.LastModified });
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token !== undefined);
    }
    const records: AnchorRecord[] = [];
    for (const [key, versions] of byKey) {
      const name = key.slice(prefix.length);
      const match = /^(\d{16})\.json$/.exec(name);
      if (!match || name.includes('/')) continue;
      // S3 lists a key's versions newest first; a null version id (unversioned) is the only one.
      versions.reverse();
      for (const v of versions) {
        const text = await this.getText(key, v.versionId && v.versionId !== 'null' ? v.versionId : undefined);
        if (text === undefined) continue;
        v.body = text;
        try {
          v.sth = parseSth(JSON.parse(text) as never, `anchor ${key}`);
        } catch (err) {
          v.error = (err as Error).message;
        }
      }
      records.push({ size: Number(match[1]), key, versions, deleted: deleted.has(key) });
    }
    return records.sort((a, b) => a.size - b.size);
  }

  /** Publishes a public key as `_keys/<keyId>.pem`, unless it is there already. */
  async publishKey(keyId: string, publicKeyPem: string): Promise<void> {
    const key = `${KEYS_PREFIX}${keyId}.pem`;
    if ((await this.getText(key)) === publicKeyPem) return;
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: publicKeyPem, ContentType: 'application/x-pem-file', ChecksumAlgorithm: 'SHA256' }));
  }

  /** Every published public key: keyId → PEM. */
  async publishedKeys(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: KEYS_PREFIX, ContinuationToken: token }));
      for (const o of res.Contents ?? []) {
        const m = /^_keys\/([0-9a-f]{64})\.pem$/.exec(o.Key ?? '');
        if (!m) continue;
        const text = await this.getText(o.Key as string);
        if (text !== undefined) out.set(m[1] as string, text);
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out;
  }

  private async getText(key: string, versionId?: string): Promise<string | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
      return res.Body ? await res.Body.transformToString('utf8') : '';
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

function push(map: Map<string, AnchorVersion[]>, key: string, v: AnchorVersion): void {
  const list = map.get(key);
  if (list) list.push(v);
  else map.set(key, [v]);
}
