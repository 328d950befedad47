import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { downLocalCloud } from '../infra/local/cloud';
import { outputsFile } from '../infra/local/deploy';
import { localstackDataDir } from '../infra/local/localstack';
import { temporalDbFile } from '../infra/local/temporal';
import { runMain } from './run-main';

/**
 * `npm run local:reset`: stops the local cloud and deletes both sides' state together (Temporal's
 * workflows and LocalStack's resources), since either one kept without the other is inconsistent.
 */
runMain(async () => {
  const stopped = await downLocalCloud();
  if (stopped.length > 0) console.log(`Stopped: ${stopped.join(', ')}.`);
  for (const path of [dirname(temporalDbFile), localstackDataDir, outputsFile]) rmSync(path, { recursive: true, force: true });
  console.log('Deleted the workflows (Temporal) and the deployed stack (LocalStack). `npm start` begins afresh.');
});
