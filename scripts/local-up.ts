import { upLocalCloud } from '../infra/local/cloud';
import { runMain } from './run-main';

/** `npm run local:up`: the local cloud with the stack deployed and the worker running, nothing else. */
runMain(async () => {
  const outputs = await upLocalCloud();
  console.log(`\nLocal cloud is up. API: ${outputs?.ApiUrl ?? '(not deployed)'}\nStatus: npm run local:status   Stop: npm stop`);
});
