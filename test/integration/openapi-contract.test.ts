import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../infra/local/paths';
import { ensureSchemathesis } from '../../infra/local/schemathesis';
import { stack } from '../support/stack';

/**
 * The API against its own GET /openapi.json: schemathesis generates requests from the document
 * (valid and invalid, then chains of them through the ids a start answers) and checks every answer
 * against it: status codes, bodies, headers, valid input accepted, invalid input refused. The seed,
 * the number of examples and each check left out, with its reason, are in schemathesis.toml.
 */
function run(command: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

describe('the API keeps its OpenAPI contract (schemathesis)', () => {
  it('answers every generated request as its document says', async () => {
    const st = await ensureSchemathesis();
    const api = stack().ApiUrl.replace(/\/+$/, '');
    // One worker: the API's answers then come in a fixed order, and the shared machine is spared.
    const { code, out } = await run(st, ['--config-file', join(repoRoot, 'schemathesis.toml'), '--no-color', 'run', `${api}/openapi.json`, '--url', api, '--workers', '1']);
    const selected = /Selected: (\d+)\/(\d+)/.exec(out);
    const tested = /Tested: (\d+)/.exec(out);
    // The whole report on failure: each finding with the curl command that reproduces it.
    expect({ code, findings: code === 0 ? '' : out }).toEqual({ code: 0, findings: '' });
    expect(Number(selected?.[2])).toBeGreaterThan(20);
    expect(tested?.[1]).toBe(selected?.[2]);
  }, 600000);
});
