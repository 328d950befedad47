import type { Payload, PayloadCodec } from '@temporalio/common';
import { isClaimCheckRef, type ClaimCheckRef } from './ref';
import { ClaimCheckError, ClaimCheckStore, DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES } from './store';

/** The payload encoding that marks a claim check; the data is the JSON reference. */
export const CLAIM_CHECK_ENCODING = 'binary/stepless-claim-check';

interface StoredPayload extends ClaimCheckRef {
  /** The original payload's metadata (its encoding, message type...), base64 per entry. */
  metadata: Record<string, string>;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * A Temporal payload codec that moves payloads above a threshold to S3 and leaves a small
 * reference in their place, so workflow inputs, activity results and signals of any size never meet
 * Temporal's payload limit, and workflow histories stay small. Workflow code sees the real values.
 * Used by the worker and by every client (the API Lambda, scripts) through the same data converter.
 */
export class ClaimCheckCodec implements PayloadCodec {
  constructor(
    private readonly store: ClaimCheckStore,
    private readonly thresholdBytes = DEFAULT_CLAIM_CHECK_THRESHOLD_BYTES,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const data = payload.data ?? new Uint8Array();
        if (data.byteLength <= this.thresholdBytes) return payload;
        const ref = await this.store.put(data);
        const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
        const stored: StoredPayload = { ...ref, metadata };
        return { metadata: { encoding: utf8.encode(CLAIM_CHECK_ENCODING) }, data: utf8.encode(JSON.stringify(stored)) };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const encoding = payload.metadata?.encoding;
        if (encoding === undefined || encoding === null || fromUtf8.decode(encoding) !== CLAIM_CHECK_ENCODING) return payload;
        const stored = JSON.parse(fromUtf8.decode(payload.data ?? new Uint8Array())) as StoredPayload;
        if (!isClaimCheckRef(stored)) throw new ClaimCheckError('INVALID_REFERENCE', 'claim-check payload carries no valid reference');
        const data = await this.store.get(stored);
        const metadata = Object.fromEntries(Object.entries(stored.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
        return { metadata, data };
      }),
    );
  }
}
