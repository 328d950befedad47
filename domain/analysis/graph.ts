import type { FileFindings, Finding } from './types';

/**
 * The snapshot's import graph, from each file's export and import lists: which exported names no
 * other file imports. Pure (no I/O, no TypeScript), so the workflow computes it from results it
 * already holds.
 */

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

function normalize(parts: string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The snapshot file a relative specifier points at, or undefined (a package, or not in the snapshot). */
export function resolveImport(fromFile: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = normalize([...dirname(fromFile).split('/'), ...specifier.split('/')]);
  // `./x.js` written for ESM resolution may name `./x.ts`.
  const stripped = base.replace(/\.(m|c)?js$/, '');
  const candidates = [base, ...EXTENSIONS.map((e) => stripped + e), ...EXTENSIONS.map((e) => `${base}/index${e}`)];
  return candidates.find((c) => files.has(c));
}

export interface UnusedExport {
  file: string;
  name: string;
}

/**
 * Exports that no file in the snapshot imports. Entry points (their exports are the public API)
 * are exempt; a namespace import or `export *` of a file uses all its exports.
 */
export function findUnusedExports(results: readonly Pick<FileFindings, 'path' | 'exports' | 'imports'>[], entryPoints: readonly string[]): UnusedExport[] {
  const files = new Set(results.map((r) => r.path));
  const used = new Map<string, Set<string>>();
  for (const r of results) {
    for (const imp of r.imports) {
      const target = resolveImport(r.path, imp.from, files);
      if (target === undefined) continue;
      const names = used.get(target) ?? new Set<string>();
      imp.names.forEach((n) => names.add(n));
      used.set(target, names);
    }
  }
  const entries = new Set(entryPoints);
  const unused: UnusedExport[] = [];
  for (const r of [...results].sort((a, b) => a.path.localeCompare(b.path))) {
    if (entries.has(r.path)) continue;
    const names = used.get(r.path);
    if (names?.has('*')) continue;
    for (const name of r.exports) if (!names?.has(name)) unused.push({ file: r.path, name });
  }
  return unused;
}

export function unusedExportFindings(unused: readonly UnusedExport[]): Finding[] {
  return unused.map((u) => ({
    rule: 'unused-export',
    category: 'architecture',
    severity: 'low',
    file: u.file,
    line: 1,
    column: 1,
    message: `export "${u.name}" is not imported anywhere in the snapshot`,
  }));
}
