/**
 * The codec endpoint (POST /codec/decode, /codec/encode): Temporal's "remote codec" protocol, so
 * the Temporal UI and CLI (`--codec-endpoint`) can show operators decoded payloads while the
 * Temporal service itself only ever stores ciphertext. Enabled when PAYLOAD_KMS_KEY_ID is set;
 * whoever may call it can read payloads, so put it behind the API's authorization (API keys or IAM).
 *
 * Body and answer: `{ "payloads": [{ "metadata": { "<key>": "<base64>" }, "data": "<base64>" }] }`.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { KmsPayloadCodec, PayloadDecryptionError } from '../../runtime/encryption/kms-codec';
import { HttpError, json } from './http';
import { defineRoute, errors, type Route } from './routes';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const payloadsSchema = z.strictObject({
  payloads: z.array(z.strictObject({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })).max(1000, 'at most 1000 payloads per request'),
});
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

const codecRoute = (direction: 'encode' | 'decode') =>
  defineRoute({
    method: 'POST',
    path: `/codec/${direction}`,
    summary: direction === 'decode' ? 'Decrypt Temporal payloads (the Temporal UI/CLI codec endpoint)' : 'Encrypt Temporal payloads (the Temporal UI/CLI codec endpoint)',
    tags: ['codec'],
    body: payloadsSchema,
    responses: { 200: { description: 'The payloads, transformed', schema: payloadsSchema }, 400: errors[400], 404: { description: 'Payload encryption is not configured', schema: errors[404].schema } },
    handle: async ({ body }) => {
      const c = payloadCodec();
      try {
        return json(200, toWire(direction === 'decode' ? await c.decode(fromWire(body)) : await c.encode(fromWire(body))));
      } catch (err) {
        if (err instanceof PayloadDecryptionError) throw new HttpError(400, err.message, { errors: [{ field: 'payloads', message: err.message }] });
        throw err;
      }
    },
  });

export const codecRoutes: Route[] = [codecRoute('decode'), codecRoute('encode')];
