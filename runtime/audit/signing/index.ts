/**
 * Signers for tree heads, and how a process picks one from its environment:
 *
 * | variable                 | signer                                                           |
 * | ------------------------ | ---------------------------------------------------------------- |
 * | `AUDIT_KMS_KEY_ID`       | AWS KMS asymmetric key (ECC_NIST_P256, ECDSA_SHA_256): production |
 * | `AUDIT_SIGNING_KEY`      | Ed25519, the key itself: PKCS#8 PEM or base64 32-byte seed        |
 * | `AUDIT_SIGNING_KEY_FILE` | Ed25519, a file holding the same                                  |
 *
 * Exactly one may be set. The local launcher generates `.local/audit/signing-key.pem` once and
 * passes it as AUDIT_SIGNING_KEY_FILE when none is configured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { Ed25519Signer, loadOrCreateLocalKey } from './ed25519';
import { KmsSigner } from './kms';
import type { Signer } from './signer';

export { Ed25519Signer, loadOrCreateLocalKey, parseEd25519PrivateKey, publicKeyFileOf } from './ed25519';
export { KmsSigner } from './kms';
export { PublicKeyRing, SIGNATURE_ALGORITHMS, algorithmOf, keyIdOf, trustedKeyFromPem, verifySignature } from './signer';
export type { SignatureAlgorithm, Signer, TrustedKey } from './signer';
export { loadTrustedKeys } from './trust';
export type { TrustOptions } from './trust';

const SIGNER_VARIABLES = ['AUDIT_KMS_KEY_ID', 'AUDIT_SIGNING_KEY', 'AUDIT_SIGNING_KEY_FILE'] as const;

/** Whether the environment configures a signer at all. */
export function hasSignerConfig(env: NodeJS.ProcessEnv = process.env): boolean {
  return SIGNER_VARIABLES.some((name) => (env[name] ?? '') !== '');
}

/** The signer the environment configures; an error names the variables when none or several are set. */
export function signerFromEnv(env: NodeJS.ProcessEnv = process.env, kms: () => KMSClient = () => new KMSClient({})): Signer {
  const set = SIGNER_VARIABLES.filter((name) => (env[name] ?? '') !== '');
  if (set.length === 0) throw new Error(`no audit signing key configured: set one of ${SIGNER_VARIABLES.join(', ')}`);
  if (set.length > 1) throw new Error(`set only one of ${set.join(', ')}: each configures a different audit signing key`);
  if (env.AUDIT_KMS_KEY_ID) return new KmsSigner(kms(), env.AUDIT_KMS_KEY_ID);
  if (env.AUDIT_SIGNING_KEY) return Ed25519Signer.fromText(env.AUDIT_SIGNING_KEY, 'AUDIT_SIGNING_KEY');
  const file = env.AUDIT_SIGNING_KEY_FILE as string;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`AUDIT_SIGNING_KEY_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
  return Ed25519Signer.fromText(text, file);
}

/** Where the local cloud keeps its generated development signing key (under the per-clone state dir). */
export function localSigningKeyFile(stateRoot: string): string {
  return join(stateRoot, 'audit', 'signing-key.pem');
}

/** The local development key file, generated on first use (see loadOrCreateLocalKey). */
export function ensureLocalSigningKey(stateRoot: string): string {
  const file = localSigningKeyFile(stateRoot);
  loadOrCreateLocalKey(file);
  return file;
}
