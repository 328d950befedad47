// Runs before `npm start` and `npm test` (npm's pre-scripts): installs the npm packages when they
// are missing or older than package-lock.json, so both commands work on a fresh clone. Plain
// JavaScript because TypeScript tooling is itself one of the packages it installs.
const { execSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(marker)) {
  // A fresh clone: `npm ci` installs exactly what the lockfile says (it holds every platform's entries).
  console.log('▸ Installing npm packages (npm ci, from package-lock.json)');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
} else if (statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  // A newer lockfile (after a pull): `npm install` brings the existing tree to the locked versions in
  // place, where `npm ci` would delete and reinstall every package.
  console.log('▸ Updating npm packages (npm install, from package-lock.json)');
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
