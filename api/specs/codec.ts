/**
 * The codec endpoint (POST /codec/decode, /codec/encode): Temporal's "remote codec" protocol, so
 * the Temporal UI and CLI (`--codec-endpoint`) can show operators decoded payloads while the
 * Temporal service itself only ever stores ciphertext (api/codec.ts does the work).
 *
 * Body and answer: `{ "payloads": [{ "metadata": { "<key>": "<base64>" }, "data": "<base64>" }] }`.
 */
import { z } from 'zod';
import { defineSpec, errors } from './route-spec';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
export const payloadsSchema = z.strictObject({
  payloads: z.array(z.strictObject({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })).max(1000, 'at most 1000 payloads per request'),
});

const codecSpec = (direction: 'encode' | 'decode') =>
  defineSpec({
    method: 'POST',
    path: `/codec/${direction}`,
    summary: direction === 'decode' ? 'Decrypt Temporal payloads (the Temporal UI/CLI codec endpoint)' : 'Encrypt Temporal payloads (the Temporal UI/CLI codec endpoint)',
    tags: ['codec'],
    // Whoever may call it reads every payload: operators only, never the applications that start workflows.
    operatorOnly: true,
    body: payloadsSchema,
    responses: { 200: { description: 'The payloads, transformed', schema: payloadsSchema }, 400: errors[400], 404: { description: 'Payload encryption is not configured', schema: errors[404].schema } },
  });

export const codecSpecs = { decode: codecSpec('decode'), encode: codecSpec('encode') };
