import { localCloudStatus } from '../infra/local/cloud';
import { runMain } from './run-main';

/** `npm run local:status [-- --json]`: what is running and where. */
runMain(() => {
  const status = localCloudStatus();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(status, null, 2));
    return;
  }
  const line = (name: string, s: { running: boolean; pid?: number; log: string }, where: string) =>
    console.log(`${name.padEnd(11)} ${s.running ? `running (pid ${s.pid})` : 'stopped'.padEnd(20)}  ${where}\n${''.padEnd(12)}log: ${s.log}`);
  line('Temporal', status.temporal, `${status.temporalAddress}, UI ${status.temporalUiUrl}`);
  line('LocalStack', status.localstack, status.awsEndpoint);
  line('Worker', status.worker, status.stack ? `task queue ${status.stack.TaskQueue}` : '');
  console.log(`API         ${status.apiUrl ?? '(stack not deployed; run npm start)'}`);
});
