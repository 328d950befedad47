/**
 * The worker image's lockfile: the repository's package-lock.json cut down to the packages the
 * built worker still loads at run time (the Temporal SDK and what it depends on), at exactly the
 * versions and integrity hashes the repository was tested with. `npm ci` in the image then installs
 * those and nothing else, where `npm install` from a bare package.json would float every
 * transitive dependency to whatever the registry serves that day.
 */

interface LockedPackage {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  link?: boolean;
  [field: string]: unknown;
}

export interface Lockfile {
  name?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockedPackage>;
}

/** "node_modules/a/node_modules/b" → "node_modules/a"; "node_modules/@s/a" → "" (the root). */
function parentLocation(location: string): string | undefined {
  if (location === '') return undefined;
  const cut = location.lastIndexOf('/node_modules/');
  return cut < 0 ? '' : location.slice(0, cut);
}

/** Where Node's resolution finds `name` when required from the package at `from`, as npm laid it out. */
function resolve(packages: Lockfile['packages'], from: string, name: string): string | undefined {
  for (let base: string | undefined = from; base !== undefined; base = parentLocation(base)) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
  }
  return undefined;
}

/** What npm installs for a package: its dependencies, optional ones (per platform), and required peers. */
function requiredNames(pkg: LockedPackage): { name: string; optional: boolean }[] {
  const peers = Object.keys(pkg.peerDependencies ?? {}).filter((n) => !pkg.peerDependenciesMeta?.[n]?.optional);
  return [
    ...Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, optional: false })),
    ...peers.map((name) => ({ name, optional: false })),
    ...Object.keys(pkg.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
  ];
}

/**
 * The lockfile of a package named `name` depending on exactly `roots` (names → the versions the
 * source lockfile holds), with every package reachable from them at its locked location.
 */
export function pruneLockfile(source: Lockfile, name: string, roots: readonly string[]): { lockfile: Lockfile; dependencies: Record<string, string> } {
  if (source.lockfileVersion < 2) throw new Error(`package-lock.json has lockfileVersion ${source.lockfileVersion}; npm 7 or later writes 2 or 3`);
  const kept = new Map<string, LockedPackage>();
  const dependencies: Record<string, string> = {};
  const visit = (location: string) => {
    if (kept.has(location)) return;
    const pkg = source.packages[location]!;
    // Installed in the image whatever their role in the repository: drop the flags that would make
    // `npm ci --omit=dev` skip them.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = pkg;
    kept.set(location, rest);
    for (const dep of requiredNames(pkg)) {
      const found = resolve(source.packages, location, dep.name);
      // An optional dependency for another platform is not in the tree: npm skipped it when locking.
      if (found) visit(found);
      else if (!dep.optional) throw new Error(`${dep.name}, needed by ${location}, is not in package-lock.json; run npm install`);
    }
  };
  for (const root of roots) {
    const location = `node_modules/${root}`;
    const version = source.packages[location]?.version;
    if (!version) throw new Error(`${root} is not in package-lock.json; run npm install`);
    dependencies[root] = version;
    visit(location);
  }
  const packages: Lockfile['packages'] = { '': { name, dependencies } };
  for (const location of [...kept.keys()].sort()) packages[location] = kept.get(location)!;
  return { lockfile: { name, lockfileVersion: 3, requires: true, packages }, dependencies };
}
