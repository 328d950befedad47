import { deployLocalStack } from '../infra/local/deploy';
import { runMain } from './run-main';

/** `npm run deploy:local`: CDK deploy to an already running LocalStack (e.g. the docker-compose one). */
runMain(async () => {
  const outputs = await deployLocalStack();
  console.log(JSON.stringify(outputs, null, 2));
});
