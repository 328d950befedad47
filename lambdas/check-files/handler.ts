import { functionHandler } from '../../runtime/steps/handler';
import { diagnosticKey, typeCheck } from '../shared/analysis/program';
import { fileKey, mapLimit, readObject } from '../shared/analysis/snapshot';
import { s3 } from '../shared/aws';
import { checkFiles } from './steps';

/**
 * Parses and type-checks the snapshot's files at their current versions as one program
 * (ts.createProgram, strict, lib es2022) and reports the diagnostics that are new compared with a
 * baseline: a refactoring batch passes when it adds none.
 */
export const handler = functionHandler(checkFiles, {
  async check(input, { log }) {
    const started = Date.now();
    const texts = await mapLimit(input.paths, 16, async (path) => Buffer.from((await readObject(s3, input.snapshot.bucket, fileKey(input.snapshot.prefix, path))).bytes).toString('utf8'));
    const files = Object.fromEntries(input.paths.map((p, i) => [p, texts[i]!]));
    const diagnostics = typeCheck(files);
    const keys = diagnostics.map(diagnosticKey);
    // A multiset difference: a second identical error in the same file is new too.
    const remaining = new Map<string, number>();
    for (const k of input.baseline ?? []) remaining.set(k, (remaining.get(k) ?? 0) + 1);
    const newDiagnostics = diagnostics.filter((d) => {
      const k = diagnosticKey(d);
      const n = remaining.get(k) ?? 0;
      if (n > 0) {
        remaining.set(k, n - 1);
        return false;
      }
      return true;
    });
    const result = { ok: newDiagnostics.length === 0, keys, newDiagnostics, files: input.paths.length, ms: Date.now() - started };
    log.info('snapshot type-checked', { files: result.files, diagnostics: keys.length, new: newDiagnostics.length, ms: result.ms });
    return result;
  },
});
