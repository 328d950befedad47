/**
 * One JSON object per line, so CloudWatch Logs Insights and `npm run logs` can filter by field.
 * Every line carries the ids that tie it to a workflow run.
 */
export type LogFields = Record<string, unknown>;

export function createLogger(base: LogFields) {
  const write = (level: 'info' | 'warn' | 'error', msg: string, fields?: LogFields): void => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields });
    if (level === 'info') console.log(line);
    else console.error(line);
  };
  return {
    info: (msg: string, fields?: LogFields) => write('info', msg, fields),
    warn: (msg: string, fields?: LogFields) => write('warn', msg, fields),
    error: (msg: string, fields?: LogFields) => write('error', msg, fields),
  };
}
