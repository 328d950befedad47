import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateCost } from '../../../domain/analysis/cost';
import { findUnusedExports, resolveImport } from '../../../domain/analysis/graph';
import { deriveRefactorPlan } from '../../../domain/analysis/plan';
import { typeCheck } from '../../../lambdas/shared/analysis/program';
import { StaticAnalyzer } from '../../../lambdas/shared/analysis/static-analyzer';
import { applyTransform } from '../../../lambdas/shared/analysis/transforms';
import type { Depth } from '../../../domain/analysis/types';
import { readTarball } from '../../../scripts/upload-snapshot';

const analyse = (path: string, text: string, depth: Depth = 'cheap', context?: Record<string, string>) =>
  new StaticAnalyzer(context ? { context } : {}).analyzeSync({ file: { path, sha256: '0'.repeat(64), size: Buffer.byteLength(text) }, text, depth, pricePer1kTokens: 0.01, deepCostFactor: 4, complexityThreshold: 3 });
const rules = (r: ReturnType<typeof analyse>) => r.findings.map((f) => `${f.rule}@${f.line}`);

describe('static analyser', () => {
  it('computes cyclomatic complexity per function, nested functions counted apart', () => {
    const r = analyse('a.ts', 'function f(a: number) {\n  if (a > 1 && a < 5) return 1;\n  const g = () => (a ? 1 : 2);\n  for (;;) { break; }\n  return a ?? 0;\n}\n');
    expect(r.functions).toEqual([
      { name: 'f', line: 1, complexity: 5 },
      { name: 'g', line: 3, complexity: 2 },
    ]);
    expect(rules(r)).toContain('high-complexity@1');
  });

  it('flags eval and Function, SQL by concatenation, += and templates, but not parameterised or tagged SQL', () => {
    const r = analyse(
      'b.ts',
      [
        'eval(x);',
        'const f = new Function("return 1");',
        'q("SELECT * FROM t WHERE id = " + id);',
        'q(`DELETE FROM t WHERE id = ${id}`);',
        's += " WHERE name = " + n;',
        'q("SELECT * FROM t WHERE id = $1", [id]);',
        'q(sql`SELECT * FROM t WHERE id = ${id}`);',
        'const msg = "hello " + name;',
      ].join('\n'),
    );
    expect(rules(r)).toEqual(['eval@1', 'eval@2', 'sql-injection@3', 'sql-injection@4', 'sql-injection@5']);
  });

  it('flags hard-coded secrets by name and AWS key ids, not env reads or short placeholders', () => {
    const r = analyse('c.ts', ["const apiKey = 'abcdef123456';", "const k = 'AKIAABCDEFGHIJKLMNOP';", 'const password = process.env.PW;', "const token = 'x';", "obj.clientSecret = 'supersecretvalue';"].join('\n'));
    expect(rules(r)).toEqual(['hardcoded-secret@1', 'hardcoded-secret@2', 'hardcoded-secret@5']);
    expect(r.findings[1]!.severity).toBe('critical');
  });

  it('lists exports and imports; deep pass type-checks against imported files', () => {
    const lib = 'export function id(s: string): string { return s; }\nexport const unused = 1;\n';
    const main = "import { id } from './lib';\nexport default function m(x: any, y) { return id(JSON.parse(x)) + y; }\n";
    const cheap = analyse('main.ts', main);
    expect(cheap.imports).toEqual([{ from: './lib', names: ['id'] }]);
    expect(cheap.exports).toEqual(['default']);
    expect(rules(cheap)).toEqual(['explicit-any@2']);
    const deep = analyse('main.ts', main, 'deep', { 'lib.ts': lib });
    expect(rules(deep)).toEqual(expect.arrayContaining(['implicit-any@2', 'any-argument@2']));
    expect(deep.cost).toEqual(estimateCost(Buffer.byteLength(main), 'deep', 0.01, 4));
    expect(deep.cost.tokens).toBe(4 * Math.ceil(Buffer.byteLength(main) / 4));
    expect(findUnusedExports([cheap, analyse('lib.ts', lib)], ['main.ts'])).toEqual([{ file: 'lib.ts', name: 'unused' }]);
  });

  it('resolves relative imports the way bundlers do', () => {
    const files = new Set(['src/a.ts', 'src/b/index.ts', 'src/c.tsx']);
    expect(resolveImport('src/x.ts', './a.js', files)).toBe('src/a.ts');
    expect(resolveImport('src/x.ts', './b', files)).toBe('src/b/index.ts');
    expect(resolveImport('src/d/x.ts', '../c', files)).toBe('src/c.tsx');
    expect(resolveImport('src/x.ts', 'react', files)).toBeUndefined();
  });
});

describe('transformations and checks', () => {
  it('any → unknown, == → === (not == null), unexport; idempotent; other bytes untouched', () => {
    const src = "// keep\nexport function f(a: any, b: number) {\n  if (a == b || a != null) return 1;\n  return 0;\n}\nexport const x = 1, y = 2;\nexport { f as g };\n";
    const any = applyTransform('t.ts', src, { transform: 'any-to-unknown' });
    expect(any.text).toBe(src.replace('a: any', 'a: unknown'));
    const eq = applyTransform('t.ts', src, { transform: 'strict-equality' });
    expect(eq).toEqual({ text: src.replace('a == b', 'a === b'), edits: 1 });
    expect(applyTransform('t.ts', eq.text, { transform: 'strict-equality' }).edits).toBe(0);
    const un = applyTransform('t.ts', src, { transform: 'unexport-unused', names: ['x', 'y', 'g'] });
    expect(un.text).toBe(src.replace('export const x', 'const x').replace('export { f as g };', ''));
  });

  it('type-checks with the standard library; `unknown` where `any` was dereferenced is a new error', () => {
    const files = { 'a.ts': 'export function f(r: any): string { return r.name.toUpperCase(); }\n' };
    expect(typeCheck(files)).toEqual([]);
    const after = { 'a.ts': applyTransform('a.ts', files['a.ts'], { transform: 'any-to-unknown' }).text };
    expect(typeCheck(after).map((d) => d.code)).toEqual([18046]);
  });

  it('derives batches per transformation and keeps the rest for a person', () => {
    const r = analyse('p.ts', "export function f(a: any) { if (a == 1) eval('x'); }\n");
    const plan = deriveRefactorPlan(r.findings, [{ file: 'p.ts', name: 'f' }], 3);
    expect(plan.batches.map((b) => b.transform)).toEqual(['strict-equality', 'unexport-unused', 'any-to-unknown']);
    expect(plan.batches[1]!.files).toEqual([{ path: 'p.ts', names: ['f'] }]);
    expect(plan.manual.map((m) => m.rule)).toEqual(['eval']);
  });
});

describe('snapshot tarballs', () => {
  it('reads a gzipped tarball made by tar(1), stripping the top directory and skipping node_modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snap-'));
    execFileSync('mkdir', ['-p', join(dir, 'repo/src'), join(dir, 'repo/node_modules/x')]);
    writeFileSync(join(dir, 'repo/src/a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'repo/node_modules/x/i.js'), '');
    execFileSync('tar', ['czf', join(dir, 'r.tgz'), '-C', dir, 'repo']);
    const files = readTarball(readFileSync(join(dir, 'r.tgz')));
    expect([...files.keys()]).toEqual(['src/a.ts']);
    expect(files.get('src/a.ts')!.toString()).toBe('export const a = 1;\n');
  });
});
