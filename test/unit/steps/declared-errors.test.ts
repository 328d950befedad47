import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { FUNCTIONS } from '../../../lambdas/catalog';

/**
 * A handler must not throw an error name its declaration does not list: the workflow would retry
 * a business failure it should not, or a caller would meet a type no contract names. The names are
 * read from the source every handler reaches through its imports under lambdas/: an error class's
 * `name = 'X'`, an `error.name = 'X'`, and a string passed first to a helper whose name ends in
 * Error (`namedError('PaymentDeclined', ...)`).
 */
const lambdasDir = resolve(__dirname, '..', '..', '..', 'lambdas');

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

/** The handler and every module under lambdas/ it imports, transitively. */
function reachableFiles(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = resolveImport(file, match[1]!);
      if (target !== undefined && target.startsWith(lambdasDir)) queue.push(target);
    }
  }
  return [...seen];
}

function thrownNames(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const patterns = [/\bname\s*=\s*'([A-Z][A-Za-z0-9]+)'/g, /\b\w*Error\(\s*'([A-Z][A-Za-z0-9]+)'/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

describe('every error a handler can throw is declared by its function', () => {
  it.each(FUNCTIONS.map((fn) => [fn.name, fn] as const))('%s', (_name, fn) => {
    const declared = new Set(Object.values(fn.steps).flatMap((step) => Object.keys(step.errors)));
    const undeclared = reachableFiles(join(lambdasDir, fn.folder, 'handler.ts')).flatMap((file) =>
      thrownNames(file).filter((name) => !declared.has(name)).map((name) => `${name} (${relative(lambdasDir, file)})`),
    );
    expect(undeclared).toEqual([]);
  });

  it('finds the names it looks for (it would have caught ShipmentCancelled missing from the shipping contract)', () => {
    const names = reachableFiles(join(lambdasDir, 'shipping', 'handler.ts')).flatMap(thrownNames);
    expect(names).toEqual(expect.arrayContaining(['AddressUndeliverable', 'ShipmentCancelled']));
  });
});
