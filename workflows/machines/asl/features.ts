import { COMPARISON_OPERATORS } from './choice';
import { STATES_ERRORS } from './errors';
import { INTRINSIC_NAMES, intrinsicNamesIn, isIntrinsic, parseIntrinsic } from './intrinsics';
import { compileExpression, expressionOf } from './jsonata';
import { isJsonObject } from './json';
import { FUNCTION_ARN, isLambdaInvoke, LAMBDA_INVOKE } from './lambda-task';
import { isReferencePath, isValidPath } from './paths';
import type { AslMachine, AslState, QueryLanguage } from './types';

/**
 * What this interpreter supports, checked on a definition that the ASL schema already accepted:
 * each problem names the state (with its enclosing Parallel or Map) and the feature, so an
 * unsupported definition is refused when registered rather than failing when it runs.
 */

export interface DefinitionProblem {
  /** The state, as `Outer/Branch 0/Inner`; absent for the definition's top level. */
  state?: string;
  field: string;
  message: string;
}

const STATE_TYPES = new Set(['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']);
const DISTRIBUTED_MAP_FIELDS = ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', 'ToleratedFailureCount', 'ToleratedFailureCountPath', 'Label'];
const INVOKE_PARAMETERS = new Set(['FunctionName', 'Payload', 'Qualifier', 'InvocationType']);
const PATH_FIELDS = ['InputPath', 'OutputPath', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath'] as const;
const JSONPATH_ONLY = ['InputPath', 'OutputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'ErrorPath', 'CausePath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath', 'Result', 'Iterator'];
const JSONATA_ONLY = ['Arguments', 'Output', 'Items'];

/** Every supported-feature problem of a definition (empty when it can run). */
export function supportProblems(definition: AslMachine): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  machine(definition, definition.QueryLanguage ?? 'JSONPath', '', problems);
  return problems;
}

function machine(def: AslMachine, inherited: QueryLanguage, prefix: string, problems: DefinitionProblem[]): void {
  const language = def.QueryLanguage ?? inherited;
  for (const [name, state] of Object.entries(def.States ?? {})) {
    checkState(`${prefix}${name}`, state, state.QueryLanguage ?? language, language, problems);
  }
}

function checkState(path: string, state: AslState, language: QueryLanguage, outer: QueryLanguage, problems: DefinitionProblem[]): void {
  const problem = (field: string, message: string): void => {
    problems.push({ state: path, field, message });
  };
  const fields = state as unknown as Record<string, unknown>;
  if (!STATE_TYPES.has(state.Type)) problem('Type', `the state type '${String(state.Type)}' is not supported`);
  if (outer === 'JSONata' && language === 'JSONPath') problem('QueryLanguage', 'a JSONPath state cannot be inside a JSONata state machine');

  const forbidden = language === 'JSONata' ? JSONPATH_ONLY : JSONATA_ONLY;
  for (const field of forbidden) if (field in fields) problem(field, `${field} is not a field of ${language} states`);

  if (language === 'JSONPath') jsonPathFields(state, fields, problem);
  else jsonataFields(fields, '', problem);

  if (state.Type === 'Task') taskFields(state, language, problem);
  if (state.Type === 'Map') mapFields(state, fields, problem);
  if (state.Type === 'Choice' && language === 'JSONPath') {
    for (const [i, rule] of (state.Choices ?? []).entries()) choiceRule(rule, `Choices[${i}]`, problem);
  }
  retryAndCatch(state, problem);

  for (const [i, branch] of (state.Branches ?? []).entries()) machine(branch, language, `${path}/Branch ${i}/`, problems);
  const processor = state.ItemProcessor ?? state.Iterator;
  if (processor !== undefined) machine(processor, language, `${path}/ItemProcessor/`, problems);
}

function jsonPathFields(state: AslState, fields: Record<string, unknown>, problem: (field: string, message: string) => void): void {
  for (const field of PATH_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' && !isValidPath(value)) problem(field, `'${value}' is not a valid JSONPath`);
  }
  if (typeof state.ResultPath === 'string' && !isReferencePath(state.ResultPath)) problem('ResultPath', `'${state.ResultPath}' is not a Reference Path (a path to one node, without wildcards or filters)`);
  for (const field of ['ErrorPath', 'CausePath'] as const) {
    const value = state[field];
    if (typeof value === 'string') dynamic(value, field, problem);
  }
  for (const field of ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign'] as const) templateFields(fields[field], field, problem);
}

/** A `.$` value: a valid path or a well-formed call of known intrinsics. */
function dynamic(value: string, field: string, problem: (field: string, message: string) => void): void {
  if (isIntrinsic(value)) {
    try {
      const unknown = intrinsicNamesIn(parseIntrinsic(value)).filter((n) => !INTRINSIC_NAMES.includes(n));
      if (unknown.length > 0) problem(field, `unknown intrinsic function(s) ${unknown.map((n) => `States.${n}`).join(', ')}`);
    } catch (err) {
      problem(field, `malformed intrinsic function call: ${(err as Error).message}`);
    }
  } else if (!isValidPath(value)) {
    problem(field, `'${value}' is neither a valid JSONPath nor an intrinsic function`);
  }
}

function templateFields(template: unknown, field: string, problem: (field: string, message: string) => void): void {
  if (Array.isArray(template)) template.forEach((item, i) => templateFields(item, `${field}[${i}]`, problem));
  if (!isJsonObject(template)) return;
  for (const [key, value] of Object.entries(template)) {
    const path = `${field}.${key}`;
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') problem(path, 'a field ending in .$ must be a path or an intrinsic function (a string)');
      else dynamic(value, path, problem);
    } else templateFields(value, path, problem);
  }
}

function jsonataFields(value: unknown, field: string, problem: (field: string, message: string) => void): void {
  const text = expressionOf(value);
  if (text !== undefined) {
    try {
      compileExpression(text);
    } catch (err) {
      problem(field, `bad JSONata expression: ${(err as Error).message}`);
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((item, i) => jsonataFields(item, `${field}[${i}]`, problem));
  else if (isJsonObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      // Nested machines and Retry/Catch are checked on their own.
      if (field === '' && ['Branches', 'ItemProcessor', 'Retry', 'Catch'].includes(key)) continue;
      jsonataFields(item, field === '' ? key : `${field}.${key}`, problem);
    }
  }
}

function taskFields(state: AslState, language: QueryLanguage, problem: (field: string, message: string) => void): void {
  const resource = state.Resource ?? '';
  if (resource.endsWith('.waitForTaskToken')) {
    problem('Resource', `'${resource}': the .waitForTaskToken integration pattern is not supported yet`);
  } else if (resource.endsWith('.sync') || resource.includes('.sync:')) {
    problem('Resource', `'${resource}': the .sync integration pattern is not supported`);
  } else if (isLambdaInvoke(resource)) {
    const params = language === 'JSONata' ? state.Arguments : state.Parameters;
    const field = language === 'JSONata' ? 'Arguments' : 'Parameters';
    if (isJsonObject(params)) {
      for (const key of Object.keys(params)) {
        const name = key.endsWith('.$') ? key.slice(0, -2) : key;
        if (!INVOKE_PARAMETERS.has(name)) problem(`${field}.${key}`, `the lambda:invoke parameter '${name}' is not supported (supported: ${[...INVOKE_PARAMETERS].join(', ')})`);
      }
      if ('InvocationType' in params && params.InvocationType !== 'RequestResponse') {
        problem(`${field}.InvocationType`, 'only the RequestResponse invocation type is supported');
      }
      if (!('FunctionName' in params) && !('FunctionName.$' in params)) problem(`${field}.FunctionName`, 'lambda:invoke needs a FunctionName');
    } else if (expressionOf(params) === undefined) {
      problem(field, `lambda:invoke needs ${field} with a FunctionName`);
    }
  } else if (!FUNCTION_ARN.test(resource)) {
    problem('Resource', `'${resource}' is not supported: a Task runs a Lambda function (its ARN, or ${LAMBDA_INVOKE})`);
  }
  if ('Credentials' in state) problem('Credentials', 'cross-account Credentials are not supported');
}

function mapFields(state: AslState, fields: Record<string, unknown>, problem: (field: string, message: string) => void): void {
  for (const field of DISTRIBUTED_MAP_FIELDS) if (field in fields) problem(field, `${field} belongs to the Distributed Map, which is not supported yet`);
  const mode = state.ItemProcessor?.ProcessorConfig?.Mode;
  if (mode !== undefined && mode !== 'INLINE') problem('ItemProcessor.ProcessorConfig.Mode', `the ${mode} processor mode is not supported yet (only INLINE)`);
}

function choiceRule(rule: Record<string, unknown>, field: string, problem: (field: string, message: string) => void): void {
  for (const key of ['And', 'Or'] as const) {
    if (Array.isArray(rule[key])) (rule[key] as Array<Record<string, unknown>>).forEach((r, i) => choiceRule(r, `${field}.${key}[${i}]`, problem));
  }
  if (isJsonObject(rule.Not)) choiceRule(rule.Not, `${field}.Not`, problem);
  if (typeof rule.Variable === 'string') {
    if (!isValidPath(rule.Variable)) problem(`${field}.Variable`, `'${rule.Variable}' is not a valid JSONPath`);
    const operators = Object.keys(rule).filter((k) => COMPARISON_OPERATORS.includes(k));
    if (operators.length !== 1) problem(field, `a rule on '${rule.Variable}' needs exactly one comparison operator, has ${operators.length}`);
    for (const op of operators.filter((o) => o.endsWith('Path'))) {
      if (typeof rule[op] !== 'string' || !isValidPath(rule[op])) problem(`${field}.${op}`, `${op} must be a valid JSONPath`);
    }
  }
  if (isJsonObject(rule.Assign)) templateFields(rule.Assign, `${field}.Assign`, problem);
}

function retryAndCatch(state: AslState, problem: (field: string, message: string) => void): void {
  for (const key of ['Retry', 'Catch'] as const) {
    const list = (state[key] ?? []) as Array<{ ErrorEquals?: string[] }>;
    list.forEach((entry, i) => {
      const names = entry.ErrorEquals ?? [];
      if (names.includes(STATES_ERRORS.ALL) && names.length > 1) problem(`${key}[${i}].ErrorEquals`, `${STATES_ERRORS.ALL} must be the only error name in its ErrorEquals`);
      if (names.includes(STATES_ERRORS.ALL) && i !== list.length - 1) problem(`${key}[${i}].ErrorEquals`, `a ${key === 'Retry' ? 'retrier' : 'catcher'} with ${STATES_ERRORS.ALL} must be the last one`);
    });
  }
  for (const [i, retrier] of (state.Retry ?? []).entries()) {
    if (retrier.JitterStrategy !== undefined && retrier.JitterStrategy !== 'FULL' && retrier.JitterStrategy !== 'NONE') problem(`Retry[${i}].JitterStrategy`, 'JitterStrategy is FULL or NONE');
    if (retrier.BackoffRate !== undefined && retrier.BackoffRate < 1) problem(`Retry[${i}].BackoffRate`, 'BackoffRate must be at least 1.0');
  }
}
