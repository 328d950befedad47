// @ts-check
const { builtinModules } = require('node:module');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** Workflow code is replayed deterministically in the SDK's sandbox: no I/O, no Node built-ins, no AWS SDK. */
const workflowRestrictions = {
  'no-restricted-imports': [
    'error',
    {
      paths: builtinModules.map((name) => ({ name, message: 'workflow code must be deterministic: no Node built-ins (do this in an activity)' })),
      patterns: [
        { group: ['node:*'], message: 'workflow code must be deterministic: no Node built-ins (do this in an activity)' },
        { group: ['@aws-sdk/*', 'aws-sdk'], message: 'workflow code may not call AWS: do it in an activity' },
        { group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity'], message: 'workflow code imports only @temporalio/workflow' },
        { group: ['**/activity', '**/activities', '**/worker/**', '**/lambdas/**/handler'], allowTypeImports: true, message: 'import activities and handlers as types only' },
        { group: ['**/runtime/audit/**', '!**/runtime/audit/workflow', '**/runtime/checkpoints/**', '**/runtime/claim-check/**'], allowTypeImports: true, message: 'runtime I/O (audit log, checkpoints, claim checks) runs in activities; workflow code may import its types only' },
      ],
    },
  ],
};

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', '.local/', 'coverage/', '**/build/', 'infra/local/lambda-executor/',
    // The analysis workflow's sample input: code with planted faults (eval, any, ...) to be found.
    'test/testdata/sample-repo/',
  ] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  // Jest's asymmetric matchers (expect.any, expect.stringContaining) are typed `any`.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-unsafe-assignment': 'off' } },
  // domain/: pure code that both workflows and Lambda functions run, so it lives by the workflows' rules.
  { files: ['workflows/**/*.ts', 'domain/**/*.ts', 'runtime/**/workflow.ts', 'runtime/**/envelope.ts', 'test/**/fixtures/**/*.ts', 'scripts/bench/*-workflow.ts'], rules: workflowRestrictions },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
