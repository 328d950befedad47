import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * TypeScript programs over snapshot files held in memory. The standard library's declaration
 * files (lib.*.d.ts) come from disk: next to the `typescript` package in development, next to the
 * bundled handler in a Lambda function (the function's bundling copies them there; see
 * infra/constructs/analysis-services.ts), or from TS_LIB_DIR. Parsed lib files are cached for the
 * life of the process, so a warm function type-checks without parsing them again.
 */

/** The directory the snapshot's files appear under inside a program. */
export const VIRTUAL_ROOT = '/snapshot';
export const virtualPath = (path: string): string => `${VIRTUAL_ROOT}/${path}`;
export const snapshotPath = (fileName: string): string | undefined => (fileName.startsWith(`${VIRTUAL_ROOT}/`) ? fileName.slice(VIRTUAL_ROOT.length + 1) : undefined);

export const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  allowJs: true,
  types: [],
  esModuleInterop: true,
};

export class MissingLibFilesError extends Error {
  override name = 'MissingLibFiles';
}

/** Where lib.es5.d.ts and friends are; throws rather than type-check without them. */
export function libDirectory(): string {
  const candidates = [process.env.TS_LIB_DIR, dirname(ts.getDefaultLibFilePath(compilerOptions)), typeof __dirname === 'string' ? __dirname : undefined].filter((d): d is string => !!d);
  const found = candidates.find((d) => existsSync(join(d, 'lib.es5.d.ts')));
  if (!found) throw new MissingLibFilesError(`TypeScript's lib.*.d.ts files were not found (looked in ${candidates.join(', ')}); set TS_LIB_DIR`);
  return found;
}

const libCache = new Map<string, ts.SourceFile>();

export function createInMemoryHost(files: Record<string, string>): ts.CompilerHost {
  const libDir = libDirectory();
  const inMemory = new Map(Object.entries(files).map(([path, text]) => [virtualPath(path), text]));
  const readFile = (fileName: string): string | undefined => {
    if (inMemory.has(fileName)) return inMemory.get(fileName);
    if (fileName.startsWith(libDir) && existsSync(fileName)) return readFileSync(fileName, 'utf8');
    return undefined;
  };
  return {
    getSourceFile(fileName, languageVersion) {
      const cached = libCache.get(fileName);
      if (cached) return cached;
      const text = readFile(fileName);
      if (text === undefined) return undefined;
      const sf = ts.createSourceFile(fileName, text, languageVersion, true);
      if (!inMemory.has(fileName)) libCache.set(fileName, sf);
      return sf;
    },
    getDefaultLibFileName: (options) => join(libDir, ts.getDefaultLibFileName(options)),
    getDefaultLibLocation: () => libDir,
    writeFile: () => undefined,
    getCurrentDirectory: () => VIRTUAL_ROOT,
    getDirectories: () => [],
    fileExists: (fileName) => inMemory.has(fileName) || (fileName.startsWith(libDir) && existsSync(fileName)),
    readFile,
    directoryExists: (dir) => dir === VIRTUAL_ROOT || dir.startsWith(libDir) || [...inMemory.keys()].some((k) => k.startsWith(`${dir}/`)),
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
  };
}

export interface Diagnostic {
  file: string;
  line: number;
  code: number;
  message: string;
}

/** The key a diagnostic is compared by across runs (positions move when code changes; messages do not). */
export const diagnosticKey = (d: Diagnostic): string => `${d.file}|TS${d.code}|${d.message}`;

/**
 * Parses and type-checks the whole snapshot (`files`: path → text) as one program and returns the
 * syntactic and semantic diagnostics of `only` (all files when absent).
 */
export function typeCheck(files: Record<string, string>, only?: readonly string[]): Diagnostic[] {
  const host = createInMemoryHost(files);
  const program = ts.createProgram({ rootNames: Object.keys(files).map(virtualPath), options: compilerOptions, host });
  const wanted = new Set((only ?? Object.keys(files)).map(virtualPath));
  const out: Diagnostic[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!wanted.has(sf.fileName)) continue;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      out.push({ file: snapshotPath(sf.fileName) ?? sf.fileName, line, code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, ' ') });
    }
  }
  // Global errors (a missing lib) would make every check meaningless.
  const global = program.getGlobalDiagnostics();
  if (global.length > 0) throw new MissingLibFilesError(`the type checker has global errors: ${global.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`);
  return out;
}
