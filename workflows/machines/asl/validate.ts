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
    return { valid: false, problems: schema.errors.map((e) => ({ field: e['Error code'], message: e.Message })) };
  }
  const problems = supportProblems(definition as AslMachine);
  return problems.length > 0 ? { valid: false, problems } : { valid: true, definition: definition as AslMachine };
}

/** One line per problem: `State 'X', field Y: message`. */
export function describeProblems(problems: readonly DefinitionProblem[]): string {
  return problems.map((p) => `${p.state !== undefined ? `state '${p.state}', ` : ''}field ${p.field}: ${p.message}`).join('\n');
}
