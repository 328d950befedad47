import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real X.509 certificates for tests, made by the `openssl` CLI (node:crypto parses certificates but
 * cannot issue them): a CA, and server or client certificates it signs. ECDSA P-256, valid 2 days.
 */
export interface Issued {
  cert: string;
  key: string;
}

export interface TestCa extends Issued {
  name: string;
  issue(commonName: string, usage: 'server' | 'client', subjectAltNames?: string[]): Issued;
}

export interface TestPki {
  dir: string;
  createCa(name: string): TestCa;
  remove(): void;
}

const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'stepless-pki-'));
  let serial = 1;
  return {
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
    createCa(name) {
      const file = (ext: string) => join(dir, `${name}.${ext}`);
      openssl(
        ['req', '-x509', ...curve, '-keyout', file('key'), '-out', file('crt'), '-days', '2', '-subj', `/CN=${name}`,
          '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
        dir,
      );
      const ca: TestCa = {
        name,
        cert: readFileSync(file('crt'), 'utf8'),
        key: readFileSync(file('key'), 'utf8'),
        issue(commonName, usage, subjectAltNames = []) {
          const base = join(dir, `${name}-${serial}-${usage}`);
          openssl(['req', '-new', ...curve, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`], dir);
          const extensions = [
            'basicConstraints=critical,CA:FALSE',
            'keyUsage=critical,digitalSignature',
            `extendedKeyUsage=${usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
            ...(subjectAltNames.length > 0 ? [`subjectAltName=${subjectAltNames.join(',')}`] : []),
          ];
          writeFileSync(`${base}.ext`, `${extensions.join('\n')}\n`);
          openssl(
            ['x509', '-req', '-in', `${base}.csr`, '-CA', file('crt'), '-CAkey', file('key'), '-set_serial', String(serial++),
              '-out', `${base}.crt`, '-days', '2', '-extfile', `${base}.ext`],
            dir,
          );
          return { cert: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') };
        },
      };
      return ca;
    },
  };
}
