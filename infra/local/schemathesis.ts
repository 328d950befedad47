import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runStep, which, MissingPrerequisiteError } from './exec';
import { cacheRoot } from './paths';

/**
 * schemathesis, which fuzzes the HTTP API against its own OpenAPI document
 * (test/integration/openapi-contract.test.ts); a Python tool, installed from PyPI into a virtualenv
 * in the cache, pinned so that a fixed seed generates the same requests on every run.
 */
export const SCHEMATHESIS_VERSION = '4.32.5';
const venvDir = join(cacheRoot, 'schemathesis', `venv-${SCHEMATHESIS_VERSION}`);
export const schemathesisPath = join(venvDir, 'bin', 'st');

export async function ensureSchemathesis(): Promise<string> {
  if (existsSync(schemathesisPath)) return schemathesisPath;
  const python = which('python3');
  if (!python) throw new MissingPrerequisiteError('python3 not found on PATH: schemathesis is installed from PyPI into a virtualenv');
  await runStep('Creating the schemathesis virtualenv', python, ['-m', 'venv', venvDir], { logName: 'install-schemathesis' });
  await runStep(`Installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI`, join(venvDir, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], {
    logName: 'install-schemathesis',
  });
  return schemathesisPath;
}
