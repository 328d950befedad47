import { workerLogGroup } from '../../infra/local/config';
import { LOCAL_STACK_NAME } from '../../infra/local/deploy';
import { logGroupsOf, LogsUsageError, parseLogsArgs, selectSources } from '../../scripts/logs';
import { explainAwsError, StackOutputsError } from '../../scripts/stack-outputs';

describe('parseLogsArgs', () => {
  it('defaults to the local stack, every source, the last hour, once, as text', () => {
    expect(parseLogsArgs([])).toEqual({ sinceMs: 3600000, follow: false, json: false });
  });

  it('reads --stack, --region, --workflow, --since, --follow and --json', () => {
    expect(parseLogsArgs(['--stack', 'Stepless-prod', '--region', 'eu-west-1', '--workflow', 'order-1', '--since', '15m', '--follow', '--json'])).toEqual({
      stack: 'Stepless-prod',
      region: 'eu-west-1',
      workflow: 'order-1',
      sinceMs: 900000,
      follow: true,
      json: true,
    });
  });

  it('takes sources comma-separated or repeated, without duplicates or blanks', () => {
    expect(parseLogsArgs(['--source', 'worker, api,', '--source', 'textStats,worker']).sources).toEqual(['worker', 'api', 'textStats']);
  });

  it.each([
    [['--region', 'eu-west-1'], '--region needs --stack'],
    [['--source', ','], '--source needs at least one source name'],
    [['--stack', ''], '--stack needs a value'],
    [['--since', '15'], '--since must be a number followed by s, m, h or d (e.g. 15m), got "15"'],
    [['--sources', 'api'], "Unknown option '--sources'"],
    [['--stack'], "Option '--stack <value>' argument missing"],
    [['Stepless-prod'], 'Unexpected argument'],
  ])('rejects %j: %s', (args, message) => {
    expect(() => parseLogsArgs(args)).toThrow(LogsUsageError);
    expect(() => parseLogsArgs(args)).toThrow(message);
  });
});

describe('logGroupsOf', () => {
  const LogGroups = JSON.stringify({ api: '/aws/lambda/api', textStats: '/aws/lambda/text-stats' });

  it('adds the local worker group to the local stack, whose worker runs outside it', () => {
    expect(logGroupsOf({ name: LOCAL_STACK_NAME, outputs: { LogGroups } })).toEqual({ worker: workerLogGroup, api: '/aws/lambda/api', textStats: '/aws/lambda/text-stats' });
  });

  it("keeps an AWS stack's own worker group, and adds none to a stack that lists none", () => {
    const withWorker = JSON.stringify({ worker: '/stepless/prod/worker', api: '/aws/lambda/api' });
    expect(logGroupsOf({ name: 'Stepless-prod', outputs: { LogGroups: withWorker } })).toEqual({ worker: '/stepless/prod/worker', api: '/aws/lambda/api' });
    expect(logGroupsOf({ name: 'Stepless-dev', outputs: { LogGroups } })).not.toHaveProperty('worker');
  });

  it('falls back to the single-group outputs of a stack deployed before LogGroups existed', () => {
    expect(logGroupsOf({ name: LOCAL_STACK_NAME, outputs: { ApiLogGroup: '/a', TextStatsLogGroup: '/t' } })).toEqual({ worker: workerLogGroup, api: '/a', textStats: '/t' });
    expect(logGroupsOf({ name: 'Stepless-prod', outputs: { ApiLogGroup: '/a', WorkerLogGroup: '/stepless/prod/worker' } })).toEqual({ worker: '/stepless/prod/worker', api: '/a' });
  });

  it('rejects a malformed LogGroups output, and a stack with no log groups at all', () => {
    expect(() => logGroupsOf({ name: 'Stepless-prod', outputs: { LogGroups: '["/a"]' } })).toThrow("stack Stepless-prod's LogGroups output should be a JSON object of source name to log group, got [\"/a\"]");
    expect(() => logGroupsOf({ name: 'Stepless-prod', outputs: { LogGroups: '{"api": 1}' } })).toThrow(StackOutputsError);
    expect(() => logGroupsOf({ name: 'Stepless-prod', outputs: { ApiUrl: 'https://x' } })).toThrow('stack Stepless-prod lists no log groups');
  });
});

describe('selectSources', () => {
  const groups = { worker: '/w', api: '/a', textStats: '/t' };

  it('keeps every source when none is asked for, else the named ones in the order given', () => {
    expect(selectSources(groups, undefined)).toBe(groups);
    expect(selectSources(groups, ['textStats', 'worker'])).toEqual({ textStats: '/t', worker: '/w' });
  });

  it('names the unknown sources and lists the known ones', () => {
    expect(() => selectSources(groups, ['worker', 'nope', 'text-stats'])).toThrow('unknown sources "nope", "text-stats"; known sources: api, textStats, worker');
  });
});

describe('explainAwsError', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each([
    ['ValidationError', 'Stack with id Stepless-prod does not exist', 'stack Stepless-prod not found in region eu-west-1 (deploy it, or pass --region)'],
    ['CredentialsProviderError', 'Could not load credentials from any providers', 'no AWS credentials found (Could not load credentials from any providers): configure them with `aws configure`'],
    ['ExpiredToken', 'The security token included in the request is expired', 'AWS rejected the credentials (ExpiredToken: The security token included in the request is expired): refresh them'],
    ['AccessDenied', 'not authorized', 'the AWS credentials may not read stack Stepless-prod in region eu-west-1 (not authorized): they need cloudformation:DescribeStacks'],
  ])('%s: %s', (name, awsMessage, message) => {
    const explained = explainAwsError(named(name, awsMessage), 'Stepless-prod', 'eu-west-1');
    expect(explained).toBeInstanceOf(StackOutputsError);
    expect((explained as Error).message).toContain(message);
  });

  it('passes anything else through unchanged', () => {
    const err = named('ThrottlingException', 'Rate exceeded');
    expect(explainAwsError(err, 'Stepless-prod', 'eu-west-1')).toBe(err);
  });
});
