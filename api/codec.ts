/**
 * What the codec endpoint (specs/codec.ts) does: decrypts or encrypts payloads with the KMS payload
 * codec. Enabled when PAYLOAD_KMS_KEY_ID is set; whoever may call it can read payloads, so put it
 * behind the API's authorization (API keys or IAM).
 */
import { KMSClient } from '@aws-sdk/client-kms';
import type { Payload } from '@temporalio/common';
import type { z } from 'zod';
import { KmsPayloadCodec, PayloadDecryptionError } from '../runtime/encryption/kms-codec';
import { HttpError, json } from './http';
import type { Handlers, RouteHandler } from './router';
import type { codecSpecs, payloadsSchema } from './specs/codec';

type WirePayloads = z.infer<typeof payloadsSchema>;

let codec: KmsPayloadCodec | undefined;
function payloadCodec(): KmsPayloadCodec {
  const keyId = process.env.PAYLOAD_KMS_KEY_ID;
  if (!keyId) throw new HttpError(404, 'payload encryption is not configured on this deployment (PAYLOAD_KMS_KEY_ID is unset), so there is nothing to decode');
  codec ??= new KmsPayloadCodec({ kms: new KMSClient({}), keyId });
  return codec;
}

const fromWire = (wire: WirePayloads): Payload[] =>
  wire.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
  }));

const toWire = (payloads: Payload[]): WirePayloads => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  })),
});

const transform =
  (direction: 'encode' | 'decode'): RouteHandler<WirePayloads> =>
  async ({ body }) => {
    const c = payloadCodec();
    try {
      return json(200, toWire(direction === 'decode' ? await c.decode(fromWire(body)) : await c.encode(fromWire(body))));
    } catch (err) {
      if (err instanceof PayloadDecryptionError) throw new HttpError(400, err.message, { errors: [{ field: 'payloads', message: err.message }] });
      throw err;
    }
  };

export const codecHandlers: Handlers<typeof codecSpecs> = { decode: transform('decode'), encode: transform('encode') };
