/**
 * Four projects. `unit` is the quick inner loop: pure logic and light CDK constructs, nothing
 * started, downloaded or bundled. `workflow` runs workflows in Temporal's time-skipping test server
 * (a Java process per suite). `checks` verifies the deployable artifacts: full stacks synthesized with
 * real bundling, `cdk synth`, cdk-nag, hadolint and the compose validator (tools fetched on first use).
 * `integration` shares one local cloud (Temporal dev server + LocalStack) started once per run by
 * test/support/global-setup.ts. Type checking is `npm run typecheck`'s job, so ts-jest only transpiles.
 */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  setupFiles: ['<rootDir>/runtime/aws-sdk-node-warning.ts'],
};

/** The `checks` suites, listed once: `unit` skips exactly these. */
const checks = [
  'test/unit/audit-log/stack.test.ts',
  'test/unit/cdk-nag.test.ts',
  'test/unit/cdk-synth-aws.test.ts',
  'test/unit/docker-compose.test.ts',
  'test/unit/dockerfile.test.ts',
  'test/unit/stack.test.ts',
];
const literal = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      ...base,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...checks.map((path) => `<rootDir>/${literal(path)}$`)],
    },
    {
      displayName: 'workflow',
      ...base,
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
    },
    {
      displayName: 'checks',
      ...base,
      testMatch: checks.map((path) => `<rootDir>/${path}`),
    },
    {
      displayName: 'integration',
      ...base,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  testTimeout: 180000,
};
