import { randomUUID } from 'node:crypto';
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Payload } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { NativeConnection, Worker } from '@temporalio/worker';
import { localAwsClientConfig, localAwsEnv, temporalAddress } from '../../infra/local/config';
import { handler } from '../../api/handler';
import { payloadDataConverter } from '../../runtime/data-converter';
import { ENCRYPTED_ENCODING, KmsPayloadCodec, PayloadDecryptionError } from '../../runtime/encryption/kms-codec';
import { createAuditActivities } from '../../runtime/audit/log/activity';
import { createStepActivities } from '../../runtime/lambda/activity';
import { stepsByName } from '../../runtime/steps/declare';
import { FUNCTIONS } from '../../lambdas/catalog';
import { s3, stack } from '../support/stack';

/**
 * Payload encryption against LocalStack's KMS: what Temporal stores is ciphertext, what workflows,
 * functions and clients see is the value, and the codec endpoint decodes for operators.
 */
const utf8 = new TextEncoder();
const text = (p: Payload) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8');
const jsonPayload = (value: unknown): Payload => ({ metadata: { encoding: utf8.encode('json/plain') }, data: utf8.encode(JSON.stringify(value)) });

describe('payload encryption with KMS data keys', () => {
  let keyId: string;
  let generateCalls = 0;
  const kms = new KMSClient(localAwsClientConfig);
  kms.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GenerateDataKeyCommand') generateCalls += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countGenerateDataKey' },
  );

  beforeAll(async () => {
    const key = await kms.send(new CreateKeyCommand({ Description: 'stepless payload encryption test', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' }));
    keyId = key.KeyMetadata!.KeyId!;
  });

  it('round-trips payloads, hides the value and its encoding, and calls KMS once for many payloads', async () => {
    const codec = new KmsPayloadCodec({ kms, keyId });
    const secret = { card: '4242424242424242', customer: 'Ada Lovelace' };
    const before = generateCalls;
    const encoded = await codec.encode(Array.from({ length: 50 }, () => jsonPayload(secret)));
    expect(generateCalls - before).toBe(1);
    for (const p of encoded) {
      expect(Buffer.from(p.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
      expect(text(p)).not.toContain('4242');
      expect(text(p)).not.toContain('json/plain');
    }
    // Same value, different ciphertexts: a fresh IV for each payload.
    expect(new Set(encoded.map((p) => Buffer.from(p.data!).toString('hex'))).size).toBe(50);
    const decoded = await new KmsPayloadCodec({ kms, keyId }).decode(encoded); // another process: unwraps through KMS
    expect(decoded.map((p) => JSON.parse(text(p)) as unknown)).toEqual(Array(50).fill(secret));
    expect(Buffer.from(decoded[0]!.metadata!.encoding!).toString()).toBe('json/plain');
  });

  it('refuses a payload whose ciphertext or metadata was altered', async () => {
    const codec = new KmsPayloadCodec({ kms, keyId });
    const [p] = await codec.encode([jsonPayload({ amount: 100 })]);
    const flipped = Buffer.from(p!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await expect(codec.decode([{ ...p!, data: flipped }])).rejects.toThrow(PayloadDecryptionError);
    const [other] = await new KmsPayloadCodec({ kms, keyId }).encode([jsonPayload({ amount: 1 })]);
    const swappedKey = { ...p!, metadata: { ...p!.metadata, 'encryption-data-key': other!.metadata!['encryption-data-key']! } };
    await expect(codec.decode([swappedKey])).rejects.toThrow('failed authentication');
  });

  it('cannot decode once the KMS key is disabled, and says why', async () => {
    const key = await kms.send(new CreateKeyCommand({ Description: 'stepless disabled key test' }));
    const id = key.KeyMetadata!.KeyId!;
    const [p] = await new KmsPayloadCodec({ kms, keyId: id }).encode([jsonPayload('x')]);
    await kms.send(new DisableKeyCommand({ KeyId: id }));
    await expect(new KmsPayloadCodec({ kms, keyId: id }).decode([p!])).rejects.toThrow(/KMS could not unwrap the payload data key/);
  });

  it('a workflow runs with encrypted payloads: Temporal stores ciphertext, the client gets the value', async () => {
    const env = { PAYLOAD_KMS_KEY_ID: keyId, CLAIM_CHECK_BUCKET: stack().DataBucketName };
    const dataConverter = payloadDataConverter(env, { s3: s3(), kms });
    const taskQueue = `encrypted-${randomUUID()}`;
    const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities: {
        ...createStepActivities({ lambda: new LambdaClient({ ...localAwsClientConfig, maxAttempts: 1 }), functions: JSON.parse(stack().WorkerFunctions) as Record<string, string> }, stepsByName(FUNCTIONS).values()),
        // textStatsJob records audit events; here they are digested, not stored (the audit log has its own tests).
        ...createAuditActivities(undefined),
      },
      dataConverter,
    });
    const connection = await Connection.connect({ address: temporalAddress });
    try {
      const client = new Client({ connection, dataConverter });
      const jobId = `enc-${randomUUID().slice(0, 8)}`;
      const handle = await client.workflow.start('textStatsJob', { taskQueue, workflowId: `encrypted-${jobId}`, args: [{ jobId, text: 'confidential merger memo merger' }] });
      const result = await worker.runUntil(handle.result());
      expect(result).toMatchObject({ jobId, words: 4, topWords: [{ word: 'merger', count: 2 }, { word: 'confidential', count: 1 }, { word: 'memo', count: 1 }] });

      // What the Temporal server holds: every payload in the history is ciphertext.
      const history = await handle.fetchHistory();
      const raw = JSON.stringify(history);
      expect(raw).not.toContain(Buffer.from('confidential').toString('base64').slice(0, 12));
      const encodings = new Set<string>();
      for (const event of history.events ?? []) {
        const attrs = event.workflowExecutionStartedEventAttributes?.input ?? event.activityTaskScheduledEventAttributes?.input ?? event.workflowExecutionCompletedEventAttributes?.result ?? event.activityTaskCompletedEventAttributes?.result;
        for (const p of attrs?.payloads ?? []) encodings.add(Buffer.from(p.metadata!.encoding!).toString());
      }
      expect([...encodings]).toEqual([ENCRYPTED_ENCODING]);

      // The codec endpoint decodes it for an operator (the Temporal UI's "remote codec").
      const started = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      // The API function's environment, as the stack gives it (its KMS client reads the endpoint from it).
      const saved = { ...process.env };
      Object.assign(process.env, localAwsEnv, { PAYLOAD_KMS_KEY_ID: keyId });
      const body = { payloads: [{ metadata: Object.fromEntries(Object.entries(started.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(started.data!).toString('base64') }] };
      let res;
      try {
        res = await handler({ httpMethod: 'POST', path: '/codec/decode', body: JSON.stringify(body), headers: { Origin: 'http://localhost:8233' }, isBase64Encoded: false, requestContext: {} } as unknown as APIGatewayProxyEvent);
      } finally {
        process.env = saved;
      }
      expect(res.body).not.toContain('error');
      expect(res.statusCode).toBe(200);
      const decoded = JSON.parse(res.body) as { payloads: Array<{ data: string }> };
      expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString())).toEqual({ jobId, text: 'confidential merger memo merger' });
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
  });
});
