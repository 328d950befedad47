import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The CDK app reads the API's route table as data (api/specs/), never the handlers: so `cdk synth`
 * does not load the Temporal client or the AWS SDK clients the API calls. Each check loads a module
 * in a fresh Node process (jest's module registry would hide what Node itself loads).
 */
const repoRoot = join(__dirname, '..', '..');

interface Loaded {
  /** Files of this repository under api/, relative to the root. */
  api: string[];
  /** The Temporal client and AWS SDK client packages, by name. */
  clients: string[];
}

function loadedBy(module: string): Loaded {
  const script = `
    require(${JSON.stringify(join(repoRoot, module))});
    const files = Object.keys(require.cache);
    const api = files.filter((f) => f.startsWith(${JSON.stringify(join(repoRoot, 'api') + '/')})).map((f) => f.slice(${repoRoot.length + 1}));
    const clients = [...new Set(files.map((f) => /node_modules\\/(@temporalio\\/client|@aws-sdk\\/client-[^/]+)\\//.exec(f)?.[1]).filter(Boolean))];
    process.stdout.write(JSON.stringify({ api, clients }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: repoRoot, encoding: 'utf8' })) as Loaded;
}

describe('the API layer as the CDK app sees it', () => {
  it('the route table loads only route specs: no Temporal client, no AWS SDK client', () => {
    const loaded = loadedBy('api/specs/route-table.ts');
    expect(loaded.api).toContain('api/specs/route-table.ts');
    expect(loaded.api.filter((f) => !f.startsWith('api/specs/'))).toEqual([]);
    expect(loaded.clients).toEqual([]);
  });

  it('loading the stack loads the route specs but no handler, and no Temporal client', () => {
    const loaded = loadedBy('infra/stacks/stepless-stack.ts');
    expect(loaded.api).toContain('api/specs/route-table.ts');
    expect(loaded.api.filter((f) => !f.startsWith('api/specs/'))).toEqual([]);
    expect(loaded.clients).not.toContain('@temporalio/client');
  });

  it('the handler does load the clients (so the checks above look where the clients would be)', () => {
    const loaded = loadedBy('api/handler.ts');
    expect(loaded.clients).toEqual(expect.arrayContaining(['@temporalio/client', '@aws-sdk/client-dynamodb', '@aws-sdk/client-kms', '@aws-sdk/client-s3']));
  });
});
