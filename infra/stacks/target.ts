export type Target = 'local' | 'aws';

export function parseTarget(value: unknown): Target {
  const target = value ?? 'local';
  if (target === 'local' || target === 'aws') return target;
  throw new Error(`context value "target" must be "local" or "aws", got ${JSON.stringify(target)} (pass -c target=local or -c target=aws)`);
}
