import aslValidator from 'asl-validator';
import { supportProblems, type DefinitionProblem } from './features';
import type { AslMachine } from './types';

/**
 * Validation of an ASL definition when it is registered: the language's schema and rules
 * (asl-validator), then what this interpreter supports (features.ts). Not used by the workflow
 * (the validator compiles JSON schemas), so a definition is checked once, before it can run.
 */

export type ValidationResult = { valid: true; definition: AslMachine } | { valid: false; problems: DefinitionProblem[] };

export function validateDefinition(definition: unknown): ValidationResult {
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    return { valid: false, problems: [{ field: 'definition', message: 'an ASL definition is a JSON object with StartAt and States' }] };
  }
  // The validator fills in QueryLanguage on the object it is given: give it a copy.
  const schema = aslValidator(JSON.parse(JSON.stringify(definition)) as object, { checkPaths: true, checkArn: true });
  if (!schema.isValid) {
    return { valid: false, problems: schema.errors.map((e) => schemaProblem(e['Error code'], e.Message)) };
  }
  const problems = supportProblems(definition as AslMachine);
  return problems.length > 0 ? { valid: false, problems } : { valid: true, definition: definition as AslMachine };
}

/**
 * A schema error located: its message starts with the JSON pointer of the offending value
 * (`/States/A/Branches/0/States/B/Parameters/x.$ is invalid...`), turned here into the state's
 * name (`A/Branch 0/B`) and the field (`Parameters.x.$`).
 */
function schemaProblem(code: string, message: string): DefinitionProblem {
  const pointer = /^(\/\S*) is invalid\. ?([\s\S]*)$/.exec(message);
  if (!pointer) return { field: code, message };
  const segments = pointer[1]!.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const names: string[] = [];
  let i = 0;
  while (segments[i] === 'States' && segments[i + 1] !== undefined) {
    names.push(segments[i + 1]!);
    i += 2;
    if (segments[i] === 'Branches' && segments[i + 1] !== undefined) {
      names.push(`Branch ${segments[i + 1]}`);
      i += 2;
    } else if (segments[i] === 'ItemProcessor' || segments[i] === 'Iterator') {
      names.push(segments[i]!);
      i += 1;
    }
  }
  const field = segments.slice(i).join('.') || 'definition';
  return { ...(names.length > 0 ? { state: names.join('/') } : {}), field, message: `${pointer[2] || 'is invalid'} (${code})` };
}

/** One line per problem: `State 'X', field Y: message`. */
export function describeProblems(problems: readonly DefinitionProblem[]): string {
  return problems.map((p) => `${p.state !== undefined ? `state '${p.state}', ` : ''}field ${p.field}: ${p.message}`).join('\n');
}
