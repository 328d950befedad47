import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@temporalio/common';
import { TaskProtection, taskProtectionFromEnv } from '../../worker/task-protection';

interface Recorded {
  method: string;
  path: string;
  body: unknown;
}

/** A stand-in for the ECS agent's endpoint that records every request and answers as the agent does. */
async function fakeAgent(answer: (body: { ProtectionEnabled: boolean }) => { status: number; body: unknown }): Promise<{ uri: string; calls: Recorded[]; close: () => Promise<void> }> {
  const calls: Recorded[] = [];
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as { ProtectionEnabled: boolean };
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((body) => {
      calls.push({ method: req.method ?? '', path: req.url ?? '', body });
      const a = answer(body);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { uri: `http://127.0.0.1:${port}/api/task-id`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const protectionAnswer = (body: { ProtectionEnabled: boolean }) => ({ status: 200, body: { protection: { ProtectionEnabled: body.ProtectionEnabled, TaskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/c/t' } } });

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = () => {};
  return { warnings, log: noop, trace: noop, debug: noop, info: noop, warn: (message: string) => warnings.push(message), error: noop };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('task scale-in protection', () => {
  it('protects the task when the first activity starts and clears it once the worker has been idle', async () => {
    const agent = await fakeAgent(protectionAnswer);
    const protection = new TaskProtection({ agentUri: agent.uri, expiresInMinutes: 10, clearAfterIdleMs: 50, logger: recordingLogger() });
    protection.activityStarted();
    protection.activityStarted();
    await protection.settled();
    expect(agent.calls).toEqual([{ method: 'PUT', path: '/api/task-id/task-protection/v1/state', body: { ProtectionEnabled: true, ExpiresInMinutes: 10 } }]);
    protection.activityFinished();
    await wait(120);
    // One of two still in flight: still protected.
    expect(agent.calls).toHaveLength(1);
    protection.activityFinished();
    await wait(120);
    await protection.settled();
    expect(agent.calls.map((c) => c.body)).toEqual([{ ProtectionEnabled: true, ExpiresInMinutes: 10 }, { ProtectionEnabled: false }]);
    await agent.close();
  });

  it('keeps protection through a short idle gap between activities (no request per call)', async () => {
    const agent = await fakeAgent(protectionAnswer);
    const protection = new TaskProtection({ agentUri: agent.uri, expiresInMinutes: 5, clearAfterIdleMs: 200, logger: recordingLogger() });
    for (let i = 0; i < 5; i++) {
      protection.activityStarted();
      await protection.settled();
      protection.activityFinished();
    }
    await protection.settled();
    expect(agent.calls.map((c) => c.body)).toEqual([{ ProtectionEnabled: true, ExpiresInMinutes: 5 }]);
    await wait(300);
    await protection.settled();
    expect(agent.calls.map((c) => c.body)).toEqual([{ ProtectionEnabled: true, ExpiresInMinutes: 5 }, { ProtectionEnabled: false }]);
    await agent.close();
  });

  it('counts every attempt through the activity interceptor, a failing one included', async () => {
    const agent = await fakeAgent(protectionAnswer);
    const protection = new TaskProtection({ agentUri: agent.uri, expiresInMinutes: 10, clearAfterIdleMs: 20, logger: recordingLogger() });
    const inbound = protection.interceptor()({} as never).inbound!;
    let release!: () => void;
    const running = inbound.execute!({} as never, () => new Promise((resolve) => (release = () => resolve('done'))));
    const failing = inbound.execute!({} as never, () => Promise.reject(new Error('step failed')));
    await expect(failing).rejects.toThrow('step failed');
    await wait(60);
    await protection.settled();
    expect(agent.calls.map((c) => c.body)).toEqual([{ ProtectionEnabled: true, ExpiresInMinutes: 10 }]);
    release();
    await expect(running).resolves.toBe('done');
    await wait(60);
    await protection.settled();
    expect(agent.calls.map((c) => c.body)).toEqual([{ ProtectionEnabled: true, ExpiresInMinutes: 10 }, { ProtectionEnabled: false }]);
    await agent.close();
  });

  it('logs an agent failure and tries again on the next change, without failing the activity', async () => {
    let refuse = true;
    const agent = await fakeAgent((body) => (refuse ? { status: 400, body: { error: { Code: 'AccessDeniedException', Message: 'not authorized to perform ecs:UpdateTaskProtection' } } } : protectionAnswer(body)));
    const logger = recordingLogger();
    const protection = new TaskProtection({ agentUri: agent.uri, expiresInMinutes: 10, clearAfterIdleMs: 20, logger });
    protection.activityStarted();
    await protection.settled();
    expect(logger.warnings).toEqual(['the ECS agent refused to change task scale-in protection']);
    refuse = false;
    protection.activityStarted();
    await protection.settled();
    expect(agent.calls.map((c) => c.body)).toEqual([{ ProtectionEnabled: true, ExpiresInMinutes: 10 }, { ProtectionEnabled: true, ExpiresInMinutes: 10 }]);
    await agent.close();
  });

  it('is off without ECS_AGENT_URI (this machine), and checks the protection length', () => {
    expect(taskProtectionFromEnv({}, recordingLogger())).toBeUndefined();
    expect(taskProtectionFromEnv({ ECS_AGENT_URI: 'http://169.254.170.2/api/x' }, recordingLogger())).toBeInstanceOf(TaskProtection);
    expect(() => taskProtectionFromEnv({ ECS_AGENT_URI: 'http://169.254.170.2/api/x', WORKER_SCALE_IN_PROTECTION_MINUTES: '0' }, recordingLogger())).toThrow(/WORKER_SCALE_IN_PROTECTION_MINUTES must be a whole number of minutes from 1 to 2880/);
  });
});
