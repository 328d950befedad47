import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../infra/local/paths';

/**
 * The AWS target through the real CDK CLI, as a user runs it: `npx cdk synth -c target=aws` with the
 * required values (the Temporal address, and TLS to it). It bundles every function with esbuild and stages the worker image's build
 * context, so it is the slowest unit test; the template's contents are asserted elsewhere
 * (aws-stack, http-api, cdk-nag tests), this one proves the command works and warns about nothing
 * but what it must: the longest step not fitting in Fargate's 120 s stop timeout (worker/shutdown-timing.ts).
 */
/**
 * Lines of CDK's own warnings: construct annotations (`WARNING <message> (Construct Annotations)`
 * from CLI 2.1xxx, `[Warning at <path>]` from older ones), template validation, deprecations. The
 * AWS SDK's Node.js 20 notice on this machine is not about the stack.
 */
const cdkWarnings = (stderr: string) => stderr.split('\n').filter((l) => /^WARNING |\[Warning at|Template validation found issues|deprecated/i.test(l));

function synth(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stderr: string; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'stepless-synth-'));
  const res = spawnSync('npx', ['cdk', 'synth', '-c', 'target=aws', ...args, '-o', outdir, '-q', '--no-notices'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    timeout: 400_000,
  });
  return { status: res.status, stderr: res.stderr, outdir };
}

describe('npx cdk synth -c target=aws', () => {
  it('synthesizes Stepless-prod with one CDK warning: the longest step does not fit in the stop timeout', () => {
    const { status, stderr, outdir } = synth(['-c', 'temporalAddress=my-ns.a1b2c.tmprl.cloud:7233', '-c', 'temporalTls=true']);
    try {
      expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
      expect(cdkWarnings(stderr)).toEqual([expect.stringMatching(/the longest step \(function \w+, timeout 120 s\) needs a stop timeout of 140 s .* Fargate allows at most 120 s/)]);
      const template = JSON.parse(readFileSync(join(outdir, 'Stepless-prod.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
      expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::ECS::Service')).toHaveLength(1);
      expect(existsSync(join(outdir, 'Stepless-prod.assets.json'))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 420_000);

  it('explains that importing a VPC needs credentials for its account', () => {
    const noCredentials = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_DEFAULT_')));
    const { status, stderr, outdir } = synth(['-c', 'temporalAddress=my-ns.a1b2c.tmprl.cloud:7233', '-c', 'temporalTls=true', '-c', 'vpcId=vpc-0123456789abcdef0'], { ...noCredentials, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' });
    rmSync(outdir, { recursive: true, force: true });
    expect(status).not.toBe(0);
    expect(stderr).toContain('context value "vpcId" imports vpc-0123456789abcdef0, which CDK looks up in your account: configure AWS credentials');
  }, 120_000);

  it('refuses without the Temporal address, naming the context value', () => {
    const { status, stderr, outdir } = synth([]);
    rmSync(outdir, { recursive: true, force: true });
    expect(status).not.toBe(0);
    expect(stderr).toContain('-c temporalAddress=<host:port>');
  }, 120_000);

  it('refuses plaintext to Temporal unless asked for, naming the context values to pass', () => {
    const { status, stderr, outdir } = synth(['-c', 'temporalAddress=my-ns.a1b2c.tmprl.cloud:7233']);
    rmSync(outdir, { recursive: true, force: true });
    expect(status).not.toBe(0);
    expect(stderr).toContain('none of the context values "temporalTls", "temporalTlsSecretArn" and "temporalApiKeySecretArn" asks for it: pass -c temporalTls=true');
    expect(stderr).toContain('pass -c temporalInsecure=true');
  }, 120_000);

  it('synthesizes plaintext to Temporal with -c temporalInsecure=true, and warns about it', () => {
    const { status, stderr, outdir } = synth(['-c', 'temporalAddress=temporal.internal:7233', '-c', 'temporalInsecure=true']);
    rmSync(outdir, { recursive: true, force: true });
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    const warnings = cdkWarnings(stderr).filter((w) => !w.includes('needs a stop timeout'));
    expect(warnings).toEqual([expect.stringContaining('temporalInsecure=true: the worker and the API function reach Temporal at temporal.internal:7233 in plaintext without credentials')]);
    // The CLI names the construct on the line after the message.
    const lines = stderr.split('\n');
    expect(lines[lines.indexOf(warnings[0]!) + 1]?.trim()).toBe('Stepless-prod/Temporal');
  }, 420_000);
});
