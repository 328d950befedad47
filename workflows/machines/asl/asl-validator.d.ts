/** asl-validator ships no types: the part of its API validate.ts uses. */
declare module 'asl-validator' {
  interface AslValidatorError {
    'Error code': string;
    Message: string;
  }
  interface AslValidatorResult {
    isValid: boolean;
    errors: AslValidatorError[];
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: object, options?: { checkPaths?: boolean; checkArn?: boolean }): AslValidatorResult;
  export = aslValidator;
}
