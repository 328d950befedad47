import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeValidator, type ComposeValidator } from '../../infra/local/compose';
import { LOCALSTACK_SERVICES, LOCALSTACK_VERSION } from '../../infra/local/localstack';
import { repoRoot } from '../../infra/local/paths';
import { TEMPORAL_CLI_VERSION, devServerDynamicConfigArgs } from '../../infra/local/temporal';

interface Port { host_ip?: string; target: number; published?: string; protocol?: string }
interface Service { image: string; command?: string[]; environment?: Record<string, string | null>; ports?: Port[]; depends_on?: Record<string, unknown> }
interface Model { services: Record<string, Service>; networks?: Record<string, { name?: string }> }

/**
 * docker-compose.yml cannot be run on our build machines, so it is checked here the way
 * `docker compose config` checks it (on compose-go where there is no compose plugin), and the
 * normalized model is held to what the README and the host-mode set-up promise.
 */
describe('docker-compose.yml', () => {
  let validator: ComposeValidator;
  const scratch = mkdtempSync(join(tmpdir(), 'compose-'));

  beforeAll(async () => {
    validator = await composeValidator();
  }, 300000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** The environment the header's first command runs in: before the stack is deployed. */
  const envWithout = (...names: string[]): NodeJS.ProcessEnv => {
    const env = { ...process.env };
    for (const name of names) delete env[name];
    return env;
  };

  const validate = (file: string, env: NodeJS.ProcessEnv) => {
    const result = spawnSync(validator.command, validator.args(file, repoRoot), { env, encoding: 'utf8', timeout: 60000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  const load = (env: NodeJS.ProcessEnv): Model => {
    const result = validate(join(repoRoot, 'docker-compose.yml'), env);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as Model;
  };

  it('is valid before the stack is deployed (no STEPLESS_FUNCTIONS, no LocalStack token)', () => {
    const model = load(envWithout('STEPLESS_FUNCTIONS', 'LOCALSTACK_AUTH_TOKEN'));
    expect(Object.keys(model.services).sort()).toEqual(['localstack', 'temporal', 'worker']);
    expect(model.services.worker?.environment?.STEPLESS_FUNCTIONS).toBe('');
  });

  it('runs the same versions, ports and AWS services as the host-mode local cloud', () => {
    const { services, networks } = load(envWithout('STEPLESS_FUNCTIONS', 'LOCALSTACK_AUTH_TOKEN'));
    const { temporal, localstack } = services;
    const published = (service: Service | undefined) =>
      (service?.ports ?? []).map((p) => `${p.host_ip ?? '0.0.0.0'}:${p.published ?? '?'}->${p.target}/${p.protocol ?? 'tcp'}`).sort();

    expect(temporal?.image).toBe(`temporalio/temporal:${TEMPORAL_CLI_VERSION.replace(/^v/, '')}`);
    // The same dynamic config as `npm start`'s dev server, or steps there hit the transfer-queue read limit (infra/local/temporal.ts).
    expect((temporal?.command ?? []).join(' ')).toContain(devServerDynamicConfigArgs().join(' '));
    expect(published(temporal)).toEqual(['127.0.0.1:7233->7233/tcp', '127.0.0.1:8233->8233/tcp']);

    expect(localstack?.image).toBe(`localstack/localstack:${LOCALSTACK_VERSION}`);
    expect(published(localstack)).toEqual(['127.0.0.1:4566->4566/tcp']);
    expect((localstack?.environment?.SERVICES ?? '').split(',').sort()).toEqual([...LOCALSTACK_SERVICES].sort());
    // LocalStack's Docker executor puts the functions on the network the API function reaches Temporal on.
    expect(localstack?.environment?.LAMBDA_DOCKER_NETWORK).toBe(networks?.default?.name);
  });

  it('points the worker at the Temporal and LocalStack services, with the functions it is given', () => {
    const functions = JSON.stringify({ textStats: 'stepless-text-stats' });
    const { worker } = load({ ...envWithout('LOCALSTACK_AUTH_TOKEN'), STEPLESS_FUNCTIONS: functions }).services;
    expect(worker?.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      AWS_ENDPOINT_URL: 'http://localstack:4566',
      TASK_QUEUE: 'stepless',
      STEPLESS_FUNCTIONS: functions,
    });
    expect(Object.keys(worker?.depends_on ?? {}).sort()).toEqual(['localstack', 'temporal']);
  });

  it.each([
    ['an unknown top-level key', 'services:\n  web:\n    image: nginx:1.27\nservise:\n  db:\n    image: postgres:17\n', /servise/],
    ['ports that are not a list', 'services:\n  web:\n    image: nginx:1.27\n    ports: "not-a-port"\n', /services\.web\.ports/],
    ['a port that is not a number', 'services:\n  web:\n    image: nginx:1.27\n    ports: ["not-a-port"]\n', /not-a-port/],
    ['a dependency on no service', 'services:\n  web:\n    image: nginx:1.27\n    depends_on: [db]\n', /"web" depends on undefined service "db"/],
  ])('rejects %s, naming it', (_what, text, problem) => {
    const file = join(scratch, 'compose.yml');
    writeFileSync(file, text);
    const result = validate(file, process.env);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(problem);
  });
});
