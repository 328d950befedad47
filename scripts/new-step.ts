import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../infra/local/paths';
import { runMain } from './run-main';

/**
 * `npm run new:step -- <stepName>`: a new Lambda step that works as generated, to edit from there:
 *
 *   lambdas/<step-name>/steps.ts      its declaration (input schema, output type, errors, settings)
 *   lambdas/<step-name>/handler.ts    its implementation
 *   test/unit/steps/<step-name>.test.ts  a unit test of the handler
 *   lambdas/catalog.ts                lists it, so the stack deploys it and the worker runs it
 *
 * The generated step summarises a text (its first sentence and its word count): deterministic, no
 * AWS resources, so it deploys and runs at once. Call it from a workflow with
 * `step(<stepName>.steps.run, { startToCloseTimeout: '1 minute' })`.
 */

const STEP_NAME = /^[a-z][A-Za-z0-9]{1,63}$/;

export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export interface ScaffoldResult {
  folder: string;
  created: string[];
}

/** Writes the step's files under `root` and lists it in the catalog; refuses names in use. */
export function scaffoldStep(root: string, stepName: string): ScaffoldResult {
  if (!STEP_NAME.test(stepName)) {
    throw new Error(`step name "${stepName}" must be camelCase letters and digits (2-64), starting with a lower-case letter, e.g. summarizeText`);
  }
  const folder = kebabCase(stepName);
  const dir = join(root, 'lambdas', folder);
  if (existsSync(dir)) throw new Error(`lambdas/${folder} already exists; choose another name`);
  const catalogPath = join(root, 'lambdas', 'catalog.ts');
  const catalog = readFileSync(catalogPath, 'utf8');
  if (new RegExp(`\\b${stepName}\\b`).test(catalog)) throw new Error(`lambdas/catalog.ts already names ${stepName}; choose another name`);

  const files: Record<string, string> = {
    [join(dir, 'steps.ts')]: stepsTemplate(stepName, folder),
    [join(dir, 'handler.ts')]: handlerTemplate(stepName),
    [join(root, 'test', 'unit', 'steps', `${folder}.test.ts`)]: testTemplate(stepName, folder),
  };
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    if (existsSync(path)) throw new Error(`${relative(root, path)} already exists`);
    writeFileSync(path, text);
  }
  writeFileSync(catalogPath, addToCatalog(catalog, stepName, folder));
  return { folder, created: [...Object.keys(files), catalogPath].map((path) => relative(root, path)) };
}

/** Adds the import and the entry to lambdas/catalog.ts, after the last of each. */
function addToCatalog(catalog: string, stepName: string, folder: string): string {
  const imports = [...catalog.matchAll(/^import .*;$/gm)];
  const lastImport = imports[imports.length - 1];
  const listEnd = catalog.lastIndexOf('];');
  if (lastImport?.index === undefined || listEnd < 0) throw new Error('lambdas/catalog.ts does not have the expected shape (imports, then FUNCTIONS = [ ... ];)');
  const importLine = `import { ${stepName} } from './${folder}/steps';\n`;
  const afterImports = lastImport.index + lastImport[0].length + 1;
  const withEntry = `${catalog.slice(0, listEnd)}  ${stepName},\n${catalog.slice(listEnd)}`;
  return withEntry.slice(0, afterImports) + importLine + withEntry.slice(afterImports);
}

function stepsTemplate(stepName: string, folder: string): string {
  return `import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';

/** The ${stepName} function and its one step: declared here, and nowhere else. */

const input = z.object({
  /** The text to summarise. */
  text: z.string().min(1, 'must not be empty'),
});
export type ${pascal(stepName)}Input = z.infer<typeof input>;

export interface ${pascal(stepName)}Result {
  /** The text's first sentence. */
  summary: string;
  words: number;
}

export const ${stepName} = declareFunction({
  name: '${stepName}',
  description: 'Summarises a text: its first sentence and its word count',
  folder: '${folder}',
  memoryMb: 256,
  timeoutSeconds: 30,
  // What it may read and write, e.g. buckets: [{ bucket: 'data', env: 'DATA_BUCKET', read: ['inbox/'] }]
  steps: {
    run: defineStep({
      name: '${stepName}',
      description: 'Summarises a text',
      input,
      output: returns<${pascal(stepName)}Result>(),
      // The error names the step may throw, and whether a retry can help.
      errors: { InvalidStepInput: 'nonRetryable' },
    }),
  },
});
`;
}

function handlerTemplate(stepName: string): string {
  return `import { functionHandler } from '../../runtime/steps/handler';
import { ${stepName} } from './steps';

/** The ${stepName} step's implementation: \`input\` is parsed by its schema, the result must be its output type. */
export const handler = functionHandler(${stepName}, {
  run(input, { log }) {
    const words = input.text.split(/\\s+/).filter(Boolean).length;
    const summary = (/^.*?[.!?](?=\\s|$)/s.exec(input.text.trim())?.[0] ?? input.text.trim()).trim();
    log.info('summarised', { words });
    return Promise.resolve({ summary, words });
  },
});
`;
}

function testTemplate(stepName: string, folder: string): string {
  return `import type { Context } from 'aws-lambda';
import { handler } from '../../../lambdas/${folder}/handler';

const meta = { workflowId: 'wf', runId: 'run', activityId: '1', attempt: 1, idempotencyKey: 'wf/run/1', step: '${stepName}' };
const context = { awsRequestId: 'test' } as Context;

describe('${stepName}', () => {
  // The handler logs JSON lines (Powertools Logger and Metrics); keep the test output quiet.
  beforeEach(() => {
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());

  it('summarises a text: its first sentence and its word count', async () => {
    await expect(handler({ input: { text: 'Durable steps. On Lambda!' }, meta }, context)).resolves.toEqual({ summary: 'Durable steps.', words: 4 });
  });

  it('refuses an empty text, naming the field, never retried', async () => {
    await expect(handler({ input: { text: '' }, meta }, context)).rejects.toMatchObject({ name: 'NonRetryable:InvalidStepInput', message: expect.stringContaining('text: must not be empty') });
  });
});
`;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

if (require.main === module) {
  runMain(() => {
    const stepName = process.argv[2];
    if (stepName === undefined || stepName.startsWith('-')) throw new Error('usage: npm run new:step -- <stepName>   (camelCase, e.g. summarizeText)');
    const { created } = scaffoldStep(repoRoot, stepName);
    console.log(`Created:\n${created.map((path) => `  ${path}`).join('\n')}\n`);
    console.log('Next:');
    console.log(`  npx jest test/unit/steps/${kebabCase(stepName)}.test.ts   # its unit test`);
    console.log(`  call it from a workflow:  const ${stepName}Step = step(${stepName}.steps.run, { startToCloseTimeout: '1 minute' });`);
    console.log('  npm start                                   # deploys it and restarts the worker with it');
  });
}
