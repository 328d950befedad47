import { readStackOutputs } from '../infra/local/deploy';
import { runWorkerInForeground, workerPid } from '../infra/local/worker-service';
import { runMain } from './run-main';

/**
 * `npm run worker`: the worker in the foreground, configured from the local stack's outputs, for
 * watching its log while developing. The background worker `npm start` runs keeps polling too
 * unless stopped; Temporal spreads tasks over both.
 */
runMain(async () => {
  if (workerPid() !== undefined) console.log('Note: the background worker is running too; tasks are shared between both.');
  const code = await runWorkerInForeground(readStackOutputs());
  process.exitCode = code ?? 1;
});
