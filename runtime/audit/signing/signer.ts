/**
 * Signing and checking signed tree heads. A Signer holds a private key (in memory, or in AWS KMS)
 * and says which public key goes with it; a PublicKeyRing is what a verifier trusts.
 *
 * Key ids are the lowercase hex SHA-256 of the public key's DER SubjectPublicKeyInfo, so any
 * holder of the public key can compute the id, and an id can never name two different keys.
 */
import * as crypto from 'node:crypto';

/** The signature algorithms a tree head can carry. */
export type SignatureAlgorithm = 'ed25519' | 'ecdsa-p256-sha256';

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['ed25519', 'ecdsa-p256-sha256'];

export interface Signer {
  readonly algorithm: SignatureAlgorithm;
  /** SHA-256 of the public key's DER SPKI, lowercase hex. */
  keyId(): Promise<string>;
  /** The public key as a PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"). */
  publicKeyPem(): Promise<string>;
  /** The signature over `message` (Ed25519: 64 raw bytes; ECDSA: DER-encoded). */
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** Where the private key lives, for logs and reports, e.g. `ed25519 key from AUDIT_SIGNING_KEY`. */
  readonly description: string;
}

/** A public key the verifier trusts. */
export interface TrustedKey {
  keyId: string;
  algorithm: SignatureAlgorithm;
  publicKeyPem: string;
  /** Where it came from, e.g. `--public-key keys/prod.pem`. */
  source: string;
}

/** Key id of a public key: lowercase hex SHA-256 of its DER SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: crypto.KeyObject): string {
  return crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The algorithm a public key signs with, or an error naming what the key is. */
export function algorithmOf(publicKey: crypto.KeyObject): SignatureAlgorithm {
  if (publicKey.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (publicKey.asymmetricKeyType === 'ec' && publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256-sha256';
  const curve = publicKey.asymmetricKeyDetails?.namedCurve;
  throw new Error(`unsupported public key type ${publicKey.asymmetricKeyType ?? '?'}${curve ? ` (${curve})` : ''}: want Ed25519 or ECDSA P-256`);
}

/** Parses a PEM (SPKI public key, or a private key whose public half is taken) into a TrustedKey. */
export function trustedKeyFromPem(pem: string, source: string): TrustedKey {
  let key: crypto.KeyObject;
  try {
    key = pem.includes('PRIVATE KEY') ? crypto.createPublicKey(crypto.createPrivateKey(pem)) : crypto.createPublicKey(pem);
  } catch (err) {
    throw new Error(`${source}: not a PEM public key (${(err as Error).message})`);
  }
  return {
    keyId: keyIdOf(key),
    algorithm: algorithmOf(key),
    publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(),
    source,
  };
}

/**
 * True if `signature` is `algorithm`'s signature over `message` by `publicKeyPem`. A malformed
 * signature (wrong length, bad DER) is simply not valid.
 */
export function verifySignature(algorithm: SignatureAlgorithm, publicKeyPem: string, message: Uint8Array, signature: Uint8Array): boolean {
  const key = crypto.createPublicKey(publicKeyPem);
  try {
    if (algorithm === 'ed25519') return key.asymmetricKeyType === 'ed25519' && crypto.verify(null, message, key, signature);
    return key.asymmetricKeyType === 'ec' && crypto.verify('sha256', message, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** The public keys a verifier trusts, by key id. */
export class PublicKeyRing {
  private readonly keys = new Map<string, TrustedKey>();

  constructor(keys: Iterable<TrustedKey> = []) {
    for (const key of keys) this.add(key);
  }

  add(key: TrustedKey): void {
    if (!this.keys.has(key.keyId)) this.keys.set(key.keyId, key);
  }

  get(keyId: string): TrustedKey | undefined {
    return this.keys.get(keyId);
  }

  get size(): number {
    return this.keys.size;
  }

  list(): TrustedKey[] {
    return [...this.keys.values()];
  }

  /** A ring trusting the signer's own public key. */
  static async of(...signers: Signer[]): Promise<PublicKeyRing> {
    const ring = new PublicKeyRing();
    for (const s of signers) ring.add(trustedKeyFromPem(await s.publicKeyPem(), s.description));
    return ring;
  }
}
