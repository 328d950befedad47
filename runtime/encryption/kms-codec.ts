/**
 * Payload encryption: a Temporal payload codec that encrypts every payload (workflow inputs and
 * results, activity inputs and results, signals, updates, queries, memos) before it leaves the
 * process, so the Temporal service, Temporal Cloud included, stores only ciphertext.
 *
 * Envelope encryption with AWS KMS: a 256-bit data key from `GenerateDataKey` encrypts payloads
 * with AES-256-GCM; the data key's KMS-wrapped form travels in each payload's metadata, so any
 * process allowed to `kms:Decrypt` with the key can read the payload, and nothing else can. A data
 * key is reused for `rotateAfterMs` or `maxUsesPerKey` payloads, whichever comes first, so KMS is
 * called once per rotation, not once per payload. Unwrapped keys are cached the same way on decode.
 *
 * The whole original payload (its metadata and data) is encrypted, so not even the encoding
 * ("json/plain") or the message type shows. The codec's own metadata is bound to the ciphertext as
 * GCM additional data: changing any of it, or a byte of the ciphertext, fails decoding.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/stepless-encrypted';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** KMS encryption context: a data key made for payloads cannot be unwrapped for anything else. */
const ENCRYPTION_CONTEXT = { purpose: 'stepless-temporal-payload' };

export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

export interface KmsPayloadCodecOptions {
  kms: KMSClient;
  /** The KMS key (id, ARN or alias) that wraps data keys. */
  keyId: string;
  /** Use a data key for at most this long. Default 10 minutes. */
  rotateAfterMs?: number;
  /** ...and for at most this many payloads. Default 100,000. */
  maxUsesPerKey?: number;
  /** Unwrapped data keys kept for decoding. Default 1,000. */
  decryptCacheSize?: number;
}

interface DataKey {
  plaintext: Buffer;
  wrapped: Buffer;
  createdAt: number;
  uses: number;
}

const utf8 = new TextEncoder();
const meta = (payload: Payload, key: string): string | undefined => {
  const value = payload.metadata?.[key];
  return value === undefined || value === null ? undefined : Buffer.from(value).toString('utf8');
};

export class KmsPayloadCodec implements PayloadCodec {
  private current: Promise<DataKey> | undefined;
  private readonly unwrapped = new Map<string, Promise<Buffer>>();
  private readonly rotateAfterMs: number;
  private readonly maxUses: number;
  private readonly cacheSize: number;

  constructor(private readonly options: KmsPayloadCodecOptions) {
    this.rotateAfterMs = options.rotateAfterMs ?? 10 * 60_000;
    this.maxUses = options.maxUsesPerKey ?? 100_000;
    this.cacheSize = options.decryptCacheSize ?? 1000;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const key = await this.dataKey();
        const iv = randomBytes(IV_BYTES);
        const wrapped = key.wrapped.toString('base64');
        const metadata = { encoding: ENCRYPTED_ENCODING, 'encryption-cipher': CIPHER, 'encryption-data-key': wrapped };
        const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv);
        cipher.setAAD(additionalData(metadata));
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return { metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, utf8.encode(v)])), data };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if (meta(payload, 'encoding') !== ENCRYPTED_ENCODING) return payload;
        const cipherName = meta(payload, 'encryption-cipher');
        const wrapped = meta(payload, 'encryption-data-key');
        if (cipherName !== CIPHER) throw new PayloadDecryptionError(`unsupported payload cipher ${JSON.stringify(cipherName)}; want ${CIPHER}`);
        if (!wrapped) throw new PayloadDecryptionError('encrypted payload carries no data key (metadata encryption-data-key)');
        const data = Buffer.from(payload.data ?? new Uint8Array());
        if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload is ${data.length} bytes, shorter than its IV and tag`);
        const key = await this.unwrap(wrapped);
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(additionalData({ encoding: ENCRYPTED_ENCODING, 'encryption-cipher': CIPHER, 'encryption-data-key': wrapped }));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        let plain: Buffer;
        try {
          plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        } catch {
          throw new PayloadDecryptionError('encrypted payload failed authentication: its data or metadata was altered');
        }
        const original = temporal.api.common.v1.Payload.decode(plain);
        return { metadata: original.metadata, data: original.data };
      }),
    );
  }

  private async dataKey(): Promise<DataKey> {
    const fresh = (k: DataKey) => Date.now() - k.createdAt < this.rotateAfterMs && k.uses < this.maxUses;
    let pending = this.current;
    if (pending) {
      const key = await pending.catch(() => undefined);
      if (key && fresh(key)) {
        key.uses += 1;
        return key;
      }
      // Another caller may already have started the rotation.
      if (this.current !== pending) return this.dataKey();
    }
    pending = this.generate();
    this.current = pending;
    pending.catch(() => {
      if (this.current === pending) this.current = undefined;
    });
    const key = await pending;
    key.uses += 1;
    return key;
  }

  private async generate(): Promise<DataKey> {
    const res = await this.options.kms.send(new GenerateDataKeyCommand({ KeyId: this.options.keyId, KeySpec: 'AES_256', EncryptionContext: ENCRYPTION_CONTEXT }));
    if (!res.Plaintext || !res.CiphertextBlob) throw new Error(`KMS GenerateDataKey with ${this.options.keyId} returned no key`);
    const key: DataKey = { plaintext: Buffer.from(res.Plaintext), wrapped: Buffer.from(res.CiphertextBlob), createdAt: Date.now(), uses: 0 };
    this.remember(key.wrapped.toString('base64'), Promise.resolve(key.plaintext));
    return key;
  }

  private unwrap(wrapped: string): Promise<Buffer> {
    const cached = this.unwrapped.get(wrapped);
    if (cached) return cached;
    const pending = this.options.kms
      .send(new DecryptCommand({ CiphertextBlob: Buffer.from(wrapped, 'base64'), EncryptionContext: ENCRYPTION_CONTEXT }))
      .then((res) => {
        if (!res.Plaintext) throw new PayloadDecryptionError('KMS returned no plaintext for the payload data key');
        return Buffer.from(res.Plaintext);
      })
      .catch((err: unknown) => {
        this.unwrapped.delete(wrapped);
        if (err instanceof PayloadDecryptionError) throw err;
        throw new PayloadDecryptionError(`KMS could not unwrap the payload data key: ${(err as Error).name}: ${(err as Error).message}`);
      });
    this.remember(wrapped, pending);
    return pending;
  }

  private remember(wrapped: string, key: Promise<Buffer>): void {
    this.unwrapped.set(wrapped, key);
    if (this.unwrapped.size > this.cacheSize) this.unwrapped.delete(this.unwrapped.keys().next().value as string);
  }
}

/** The codec metadata as GCM additional data, in a fixed order. */
function additionalData(metadata: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify([metadata.encoding, metadata['encryption-cipher'], metadata['encryption-data-key']]));
}
