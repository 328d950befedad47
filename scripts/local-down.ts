import { downLocalCloud } from '../infra/local/cloud';
import { runMain } from './run-main';

/** `npm stop` / `npm run local:down`: stops the worker, LocalStack and Temporal that we started. */
runMain(async () => {
  const stopped = await downLocalCloud();
  console.log(stopped.length ? `Stopped: ${stopped.join(', ')}.` : 'Nothing was running.');
});
