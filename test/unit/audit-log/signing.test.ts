import * as crypto from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../../runtime/audit/canonical-json';
import { checkTreeHeadSignature, signTreeHead, sthMessage } from '../../../runtime/audit/log/sth';
import {
  Ed25519Signer,
  PublicKeyRing,
  keyIdOf,
  loadOrCreateLocalKey,
  parseEd25519PrivateKey,
  publicKeyFileOf,
  signerFromEnv,
  trustedKeyFromPem,
  verifySignature,
  type Signer,
} from '../../../runtime/audit/signing';

const root = 'ab'.repeat(32);

describe('signed tree head format', () => {
  it('signs exactly the canonical JSON of format, logId, rootHash, timestamp and treeSize', () => {
    const bytes = sthMessage({ logId: 'text-stats-hamlet', treeSize: 3, rootHash: root, timestamp: 1767225600000 });
    expect(Buffer.from(bytes).toString('utf8')).toBe(
      `{"format":"stepless-audit-sth/v1","logId":"text-stats-hamlet","rootHash":"${root}","timestamp":1767225600000,"treeSize":3}`,
    );
  });

  it('escapes any log id unambiguously (JSON strings), so ids cannot collide', () => {
    const a = Buffer.from(sthMessage({ logId: 'a","treeSize":9,"x":"', treeSize: 1, rootHash: root, timestamp: 0 })).toString();
    expect(JSON.parse(a)).toEqual({ format: 'stepless-audit-sth/v1', logId: 'a","treeSize":9,"x":"', rootHash: root, timestamp: 0, treeSize: 1 });
  });

  it('refuses malformed heads', () => {
    expect(() => sthMessage({ logId: '', treeSize: 1, rootHash: root, timestamp: 0 })).toThrow('logId');
    expect(() => sthMessage({ logId: 'x', treeSize: -1, rootHash: root, timestamp: 0 })).toThrow('treeSize');
    expect(() => sthMessage({ logId: 'x', treeSize: 1, rootHash: root.toUpperCase(), timestamp: 0 })).toThrow('rootHash');
    expect(() => sthMessage({ logId: 'x', treeSize: 1, rootHash: root, timestamp: 1.5 })).toThrow('timestamp');
  });
});

describe('Ed25519 signer', () => {
  it('reads the same key from a PEM and from its base64 seed', async () => {
    const pem = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const der = crypto.createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
    const seed = der.subarray(der.length - 32).toString('base64');
    const a = Ed25519Signer.fromText(pem, 'pem');
    const b = Ed25519Signer.fromText(seed, 'seed');
    expect(await a.keyId()).toBe(await b.keyId());
    expect(await a.publicKeyPem()).toBe(await b.publicKeyPem());
    expect(await a.keyId()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the variable and the problem for a bad key', () => {
    expect(() => parseEd25519PrivateKey('c2hvcnQ=', 'AUDIT_SIGNING_KEY')).toThrow('AUDIT_SIGNING_KEY: want a PKCS#8 PEM Ed25519 private key or a base64 32-byte seed, found 5 bytes');
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => parseEd25519PrivateKey(ec, 'K')).toThrow('K: the key is ec, want an Ed25519 private key');
  });

  it('signs tree heads that verify with its public key only', async () => {
    const signer = Ed25519Signer.generate();
    const sth = await signTreeHead(signer, { logId: 'l', treeSize: 2, rootHash: root, timestamp: 5 });
    expect(sth).toMatchObject({ algorithm: 'ed25519', keyId: await signer.keyId() });
    expect(Buffer.from(sth.signature, 'base64')).toHaveLength(64);
    const ring = await PublicKeyRing.of(signer);
    expect(checkTreeHeadSignature(sth, ring)).toEqual({ ok: true });
    expect(checkTreeHeadSignature({ ...sth, treeSize: 3 }, ring)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(checkTreeHeadSignature({ ...sth, logId: 'other' }, ring)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(checkTreeHeadSignature(sth, await PublicKeyRing.of(Ed25519Signer.generate()))).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY' });
    expect(checkTreeHeadSignature({ ...sth, signature: 'AAAA' }, ring)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('generates the local key once, private 0600, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    const file = join(dir, 'audit', 'signing-key.pem');
    const first = loadOrCreateLocalKey(file);
    const second = loadOrCreateLocalKey(file);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(trustedKeyFromPem(readFileSync(publicKeyFileOf(file), 'utf8'), 'pub').keyId).toBe(trustedKeyFromPem(readFileSync(file, 'utf8'), 'priv').keyId);
  });
});

describe('ECDSA P-256 signatures (the KMS format)', () => {
  // KMS returns DER-encoded ECDSA signatures over SHA-256; this stands in for it with a local key.
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer: Signer = {
    algorithm: 'ecdsa-p256-sha256',
    description: 'local P-256',
    keyId: () => Promise.resolve(keyIdOf(publicKey)),
    publicKeyPem: () => Promise.resolve(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    sign: (m) => Promise.resolve(new Uint8Array(crypto.sign('sha256', m, privateKey))),
  };

  it('verifies, and a P-256 key is not accepted for an Ed25519 claim', async () => {
    const sth = await signTreeHead(signer, { logId: 'l', treeSize: 1, rootHash: root, timestamp: 1 });
    const ring = await PublicKeyRing.of(signer);
    expect(checkTreeHeadSignature(sth, ring)).toEqual({ ok: true });
    expect(checkTreeHeadSignature({ ...sth, algorithm: 'ed25519' }, ring)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    const pem = await signer.publicKeyPem();
    expect(verifySignature('ed25519', pem, sthMessage(sth), Buffer.from(sth.signature, 'base64'))).toBe(false);
  });
});

describe('signerFromEnv', () => {
  it('wants exactly one key source', () => {
    expect(() => signerFromEnv({})).toThrow('no audit signing key configured: set one of AUDIT_KMS_KEY_ID, AUDIT_SIGNING_KEY, AUDIT_SIGNING_KEY_FILE');
    expect(() => signerFromEnv({ AUDIT_KMS_KEY_ID: 'alias/x', AUDIT_SIGNING_KEY: 'y' })).toThrow('set only one of AUDIT_KMS_KEY_ID, AUDIT_SIGNING_KEY');
    expect(() => signerFromEnv({ AUDIT_SIGNING_KEY_FILE: '/nonexistent/key.pem' })).toThrow('AUDIT_SIGNING_KEY_FILE: cannot read /nonexistent/key.pem');
  });

  it('builds an Ed25519 signer from a seed, and a KMS signer from a key id', () => {
    const seed = crypto.randomBytes(32).toString('base64');
    expect(signerFromEnv({ AUDIT_SIGNING_KEY: seed }).algorithm).toBe('ed25519');
    expect(signerFromEnv({ AUDIT_KMS_KEY_ID: 'alias/audit' }, () => ({}) as never).description).toBe('KMS key alias/audit');
  });
});

describe('canonical anchors', () => {
  it('are the canonical JSON of the STH', async () => {
    const sth = await signTreeHead(Ed25519Signer.generate(), { logId: 'l', treeSize: 1, rootHash: root, timestamp: 1 });
    expect(Object.keys(JSON.parse(canonicalJson(sth)) as object)).toEqual(['algorithm', 'keyId', 'logId', 'rootHash', 'signature', 'timestamp', 'treeSize']);
  });
});
