import { ensurePypiTool, pypiToolPath, type PypiTool } from './pypi-tool';

/**
 * schemathesis, which fuzzes the HTTP API against its own OpenAPI document
 * (test/integration/openapi-contract.test.ts); a Python tool, installed from PyPI into a virtualenv
 * in the cache, pinned so that a fixed seed generates the same requests on every run.
 */
export const SCHEMATHESIS_VERSION = '4.32.5';
const schemathesis: PypiTool = { name: 'schemathesis', pypiPackage: 'schemathesis', version: SCHEMATHESIS_VERSION, executable: 'st' };
export const schemathesisPath = pypiToolPath(schemathesis);

export function ensureSchemathesis(): Promise<string> {
  return ensurePypiTool(schemathesis);
}
