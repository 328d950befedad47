/**
 * Which public keys a verifier trusts. Only keys given explicitly, or resolved from the same
 * configuration the signer uses, are trust anchors; keys merely published next to the anchors
 * (`_keys/<keyId>.pem`) are trusted only on request, since whoever can write the bucket could have
 * put them there (on AWS Object Lock makes them immutable, but not necessarily yours).
 */
import { existsSync, readFileSync } from 'node:fs';
import { KMSClient } from '@aws-sdk/client-kms';
import { parseEd25519PrivateKey } from './ed25519';
import { KmsSigner } from './kms';
import { PublicKeyRing, trustedKeyFromPem } from './signer';

export interface TrustOptions {
  /** PEM files (public keys, or private keys whose public half is used). */
  publicKeyFiles?: string[];
  /** KMS key ids/ARNs/aliases whose public keys are fetched with GetPublicKey. */
  kmsKeyIds?: string[];
  kms?: () => KMSClient;
  /** The signer configuration (AUDIT_SIGNING_KEY, AUDIT_SIGNING_KEY_FILE, AUDIT_KMS_KEY_ID), used when nothing explicit is given. */
  env?: NodeJS.ProcessEnv;
  /** Further PEM files to use when nothing explicit is given (e.g. the local development public key). */
  defaultKeyFiles?: string[];
  /** Further KMS keys to use when nothing explicit is given (e.g. the stack's signing key). */
  defaultKmsKeyIds?: string[];
  /** Keys published in the anchor bucket (keyId → PEM), trusted too when given. */
  published?: Map<string, string>;
}

export async function loadTrustedKeys(options: TrustOptions): Promise<PublicKeyRing> {
  const ring = new PublicKeyRing();
  const kms = options.kms ?? (() => new KMSClient({}));
  const addFile = (file: string, what: string) => ring.add(trustedKeyFromPem(readFileSync(file, 'utf8'), `${what} ${file}`));
  const addKms = async (id: string, what: string) => ring.add(trustedKeyFromPem(await new KmsSigner(kms(), id).publicKeyPem(), `${what} ${id}`));
  for (const file of options.publicKeyFiles ?? []) addFile(file, '--public-key');
  for (const id of options.kmsKeyIds ?? []) await addKms(id, '--kms-key');
  if (ring.size === 0) {
    const env = options.env ?? {};
    if (env.AUDIT_SIGNING_KEY) ring.add(trustedKeyFromPem(toPem(env.AUDIT_SIGNING_KEY), 'AUDIT_SIGNING_KEY'));
    if (env.AUDIT_SIGNING_KEY_FILE && existsSync(env.AUDIT_SIGNING_KEY_FILE)) addFile(env.AUDIT_SIGNING_KEY_FILE, 'AUDIT_SIGNING_KEY_FILE');
    if (env.AUDIT_KMS_KEY_ID) await addKms(env.AUDIT_KMS_KEY_ID, 'AUDIT_KMS_KEY_ID');
    for (const file of options.defaultKeyFiles ?? []) if (existsSync(file)) addFile(file, 'local key');
    for (const id of options.defaultKmsKeyIds ?? []) await addKms(id, 'stack key');
  }
  for (const [keyId, pem] of options.published ?? []) {
    const key = trustedKeyFromPem(pem, `published _keys/${keyId}.pem`);
    if (key.keyId === keyId) ring.add(key);
  }
  return ring;
}

/** A PEM or base64 seed (AUDIT_SIGNING_KEY) as a PKCS#8 PEM. */
function toPem(text: string): string {
  return parseEd25519PrivateKey(text, 'AUDIT_SIGNING_KEY').export({ type: 'pkcs8', format: 'pem' }).toString();
}
