/**
 * Ed25519 signing with a private key from configuration: a PKCS#8 PEM, or the 32-byte seed in
 * base64 (what `openssl genpkey -algorithm ed25519` and `crypto.generateKeyPairSync('ed25519')`
 * hold, minus the DER wrapping).
 */
import * as crypto from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { keyIdOf, type Signer } from './signer';

/** The DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Parses a private Ed25519 key: a PEM ("-----BEGIN PRIVATE KEY-----") or a base64 32-byte seed.
 * `what` names the source in errors, e.g. `AUDIT_SIGNING_KEY`.
 */
export function parseEd25519PrivateKey(text: string, what: string): crypto.KeyObject {
  const trimmed = text.trim();
  let key: crypto.KeyObject;
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      key = crypto.createPrivateKey(trimmed);
    } catch (err) {
      throw new Error(`${what}: not a readable PEM private key (${(err as Error).message})`);
    }
  } else {
    const seed = Buffer.from(trimmed, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || seed.length !== 32) {
      throw new Error(`${what}: want a PKCS#8 PEM Ed25519 private key or a base64 32-byte seed, found ${seed.length} bytes of base64`);
    }
    key = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${what}: the key is ${key.asymmetricKeyType ?? 'of unknown type'}, want an Ed25519 private key`);
  }
  return key;
}

export class Ed25519Signer implements Signer {
  readonly algorithm = 'ed25519' as const;
  private readonly publicKey: crypto.KeyObject;

  constructor(
    private readonly privateKey: crypto.KeyObject,
    readonly description = 'ed25519 key from configuration',
  ) {
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') throw new Error('Ed25519Signer needs an Ed25519 private key');
    this.publicKey = crypto.createPublicKey(privateKey);
  }

  /** From a PEM or base64 seed (see parseEd25519PrivateKey). */
  static fromText(text: string, what: string): Ed25519Signer {
    return new Ed25519Signer(parseEd25519PrivateKey(text, what), `ed25519 key from ${what}`);
  }

  /** A fresh random key (tests). */
  static generate(): Ed25519Signer {
    return new Ed25519Signer(crypto.generateKeyPairSync('ed25519').privateKey, 'generated ed25519 key');
  }

  keyId(): Promise<string> {
    return Promise.resolve(keyIdOf(this.publicKey));
  }

  publicKeyPem(): Promise<string> {
    return Promise.resolve(this.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  }

  sign(message: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(crypto.sign(null, message, this.privateKey)));
  }

  /** The private key as PKCS#8 PEM, to store. */
  privateKeyPem(): string {
    return this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
}

/**
 * The local development key: read from `file`, or generated once and written there (mode 0600),
 * along with its public key next to it as `<file minus .pem>.pub.pem`. Never for production:
 * configure AUDIT_SIGNING_KEY or a KMS key there.
 */
export function loadOrCreateLocalKey(file: string): { signer: Ed25519Signer; created: boolean } {
  if (existsSync(file)) {
    return { signer: new Ed25519Signer(parseEd25519PrivateKey(readFileSync(file, 'utf8'), file), `ed25519 key from ${file}`), created: false };
  }
  mkdirSync(dirname(file), { recursive: true });
  const generated = Ed25519Signer.generate();
  // 'wx' fails if another process created it meanwhile; then read theirs.
  try {
    writeFileSync(file, generated.privateKeyPem(), { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateLocalKey(file);
    throw err;
  }
  const signer = new Ed25519Signer(parseEd25519PrivateKey(generated.privateKeyPem(), file), `ed25519 key from ${file}`);
  writeFileSync(publicKeyFileOf(file), crypto.createPublicKey(generated.privateKeyPem()).export({ type: 'spki', format: 'pem' }).toString());
  return { signer, created: true };
}

/** Where loadOrCreateLocalKey puts the public half of `privateKeyFile`. */
export function publicKeyFileOf(privateKeyFile: string): string {
  return `${privateKeyFile.replace(/\.pem$/, '')}.pub.pem`;
}
