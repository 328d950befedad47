import { readStackOutputs } from '../infra/local/deploy';
import { runMain } from './run-main';
import { runAnalysisDemo } from './demo/analysis';
import { runOrderDemo } from './demo/order';
import { runTrainingDemo } from './demo/training';

/**
 * `npm run demo -- <order|training|analysis>`: drives one of the example workflows over HTTP
 * against the running local cloud (`npm start` or `npm run local:up` first), printing each
 * request as the curl command that does the same.
 */
const demos: Record<string, { what: string; run: (apiUrl: string) => Promise<void> }> = {
  order: { what: 'order saga: reserve → charge → approval → ship → delivery, with compensation', run: runOrderDemo },
  analysis: { what: 'codebase analysis agent: TypeScript analysis in Lambda, budget gate, plan approval, refactoring batches with rollback', run: runAnalysisDemo },
  training: { what: 'ML training: epochs in Lambda, checkpoints in S3, a researcher decision, resume after a crash', run: runTrainingDemo },
};

const usage = `usage: npm run demo -- <${Object.keys(demos).join('|')}>\n${Object.entries(demos)
  .map(([name, d]) => `  ${name.padEnd(9)} ${d.what}`)
  .join('\n')}`;

runMain(async () => {
  const name = process.argv[2];
  const demo = name ? demos[name] : undefined;
  if (!demo) throw new Error(name ? `unknown demo "${name}"\n${usage}` : usage);
  let apiUrl: string;
  try {
    apiUrl = readStackOutputs().ApiUrl;
  } catch {
    throw new Error('the local cloud is not deployed: run `npm start` (or `npm run local:up`) first');
  }
  await demo.run(apiUrl);
});
