import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../infra/local/paths';
import { pruneLockfile, type Lockfile } from '../../scripts/worker-lockfile';

/** The worker image installs from a lockfile cut out of the repository's (scripts/worker-lockfile.ts). */
describe('the worker image lockfile', () => {
  const source = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const { lockfile, dependencies } = pruneLockfile(source, 'stepless-worker', ['@temporalio/worker', '@temporalio/client']);

  it('pins the roots at the repository versions and keeps every package they need, with its integrity hash', () => {
    expect(dependencies['@temporalio/worker']).toBe(source.packages['node_modules/@temporalio/worker']!.version);
    expect(lockfile.packages['']).toEqual({ name: 'stepless-worker', dependencies });
    // Transitive, and nested where npm nested it.
    for (const location of ['node_modules/@temporalio/core-bridge', 'node_modules/@grpc/grpc-js', 'node_modules/@temporalio/worker/node_modules/source-map']) {
      expect(lockfile.packages[location]).toMatchObject({ version: source.packages[location]!.version, integrity: source.packages[location]!.integrity });
    }
  });

  it('leaves out what the worker does not load, and no kept package is marked dev (npm ci --omit=dev would skip it)', () => {
    expect(lockfile.packages['node_modules/aws-cdk-lib']).toBeUndefined();
    expect(lockfile.packages['node_modules/typescript']).toBeUndefined();
    expect(lockfile.packages['node_modules/jest']).toBeUndefined();
    expect(Object.values(lockfile.packages).filter((p) => p.dev || p.devOptional)).toEqual([]);
    expect(Object.keys(lockfile.packages).length).toBeLessThan(Object.keys(source.packages).length / 3);
  });

  it('resolves each dependency the way Node will: nested copy first, then up the tree', () => {
    const packages: Lockfile['packages'] = {
      '': { name: 'app' },
      'node_modules/a': { version: '1.0.0', dependencies: { b: '^2' }, dev: true },
      'node_modules/a/node_modules/b': { version: '2.0.0', dependencies: { c: '^1' } },
      'node_modules/b': { version: '1.0.0' },
      'node_modules/c': { version: '1.0.0', optionalDependencies: { 'c-other-os': '1' } },
      'node_modules/unused': { version: '1.0.0' },
    };
    const pruned = pruneLockfile({ lockfileVersion: 3, packages }, 'x', ['a']).lockfile.packages;
    expect(Object.keys(pruned).sort()).toEqual(['', 'node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/c']);
    expect(pruned['node_modules/a']).toEqual({ version: '1.0.0', dependencies: { b: '^2' } });
  });

  it('names a required package missing from the lockfile', () => {
    const packages: Lockfile['packages'] = { '': {}, 'node_modules/a': { version: '1.0.0', dependencies: { gone: '1' } } };
    expect(() => pruneLockfile({ lockfileVersion: 3, packages }, 'x', ['a'])).toThrow('gone, needed by node_modules/a, is not in package-lock.json');
    expect(() => pruneLockfile({ lockfileVersion: 3, packages }, 'x', ['nope'])).toThrow('nope is not in package-lock.json');
  });
});
