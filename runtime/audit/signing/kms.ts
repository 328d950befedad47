/**
 * Signing with an AWS KMS asymmetric key (key spec ECC_NIST_P256, usage SIGN_VERIFY). The private
 * key never leaves KMS; the signer asks KMS to sign the SHA-256 digest of the message
 * (MessageType DIGEST, ECDSA_SHA_256), which is the same signature a verifier checks with
 * ECDSA-P256-SHA256 over the message itself. Signatures are DER-encoded, as KMS returns them.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { keyIdOf, type Signer } from './signer';

export class KmsSigner implements Signer {
  readonly algorithm = 'ecdsa-p256-sha256' as const;
  readonly description: string;
  private publicKey?: Promise<{ pem: string; keyId: string }>;

  /** `kmsKeyId` is a key id, key ARN, alias name or alias ARN. */
  constructor(
    private readonly kms: KMSClient,
    private readonly kmsKeyId: string,
  ) {
    this.description = `KMS key ${kmsKeyId}`;
  }

  private load(): Promise<{ pem: string; keyId: string }> {
    this.publicKey ??= (async () => {
      const res = await this.kms.send(new GetPublicKeyCommand({ KeyId: this.kmsKeyId }));
      if (res.KeySpec !== 'ECC_NIST_P256' || res.KeyUsage !== 'SIGN_VERIFY' || !res.SigningAlgorithms?.includes('ECDSA_SHA_256')) {
        throw new Error(
          `KMS key ${this.kmsKeyId} is ${res.KeySpec ?? '?'}/${res.KeyUsage ?? '?'}; the audit log needs an ECC_NIST_P256 SIGN_VERIFY key that signs with ECDSA_SHA_256`,
        );
      }
      if (res.PublicKey === undefined) throw new Error(`KMS returned no public key for ${this.kmsKeyId}`);
      const key = createPublicKey({ key: Buffer.from(res.PublicKey), format: 'der', type: 'spki' });
      return { pem: key.export({ type: 'spki', format: 'pem' }).toString(), keyId: keyIdOf(key) };
    })();
    // A failed lookup is not cached: the next call asks KMS again.
    this.publicKey.catch(() => (this.publicKey = undefined));
    return this.publicKey;
  }

  async keyId(): Promise<string> {
    return (await this.load()).keyId;
  }

  async publicKeyPem(): Promise<string> {
    return (await this.load()).pem;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    await this.load();
    const digest = createHash('sha256').update(message).digest();
    const res = await this.kms.send(new SignCommand({ KeyId: this.kmsKeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }));
    if (res.Signature === undefined) throw new Error(`KMS returned no signature for ${this.kmsKeyId}`);
    return new Uint8Array(res.Signature);
  }
}
