import type { StackOutputs } from '../../infra/local/deploy';

/** A stack output the drill needs; its absence (an older deployment) is named. */
export function output(outputs: StackOutputs, name: string): string {
  const value = outputs[name];
  if (value === undefined || value === '') throw new Error(`the deployed stack has no output ${name}: redeploy it (npm run deploy:local)`);
  return value;
}
