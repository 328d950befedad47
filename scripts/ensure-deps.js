// Runs before `npm start` and `npm test` (npm's pre-scripts): installs the npm packages when they
// are missing or older than package-lock.json, so both commands work on a fresh clone. Plain
// JavaScript because TypeScript tooling is itself one of the packages it installs.
const { execSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  // `npm install`, not `npm ci`: registries that serve only this platform's optional packages
  // (as our build machines' does) leave other platforms' entries out of the lockfile, which `npm ci`
  // refuses. `npm install` installs exactly the locked versions all the same.
  console.log('▸ Installing npm packages (npm install, from package-lock.json)');
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
