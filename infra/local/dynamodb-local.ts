/**
 * Installs Amazon DynamoDB Local, from Maven Central, where LocalStack looks for it.
 *
 * LocalStack's DynamoDB forwards every request to a DynamoDB Local process that it starts lazily (on the first
 * DynamoDB call) as
 *   $JAVA_HOME/bin/java -Xmx256m -javaagent:<dir>/ddb-local-loader-0.1.jar -Djava.library.path=<dir>/DynamoDBLocal_lib
 *       -jar <dir>/DynamoDBLocal.jar -port <free port> -inMemory|-dbPath <path>
 * with <dir> = <var_libs>/dynamodb-local/2 and JAVA_HOME = <var_libs>/java/21 (all absolute paths). When
 * <dir>/DynamoDBLocal.jar is missing it downloads a zip from a CDN, and when <var_libs>/java/21/bin/java is
 * missing a JDK from Adoptium; neither is reachable here. So this module provides both:
 *
 *   <cacheRoot>/localstack/lib/dynamodb-local/2/
 *     DynamoDBLocal.jar         launcher jar: Main-Class ServerRunner, Class-Path naming every jar in DynamoDBLocal_lib/
 *     DynamoDBLocal_lib/        com.amazonaws:DynamoDBLocal and its runtime dependencies (Maven), the sqlite4java
 *                               native libraries under the unversioned names DynamoDB Local expects
 *     ddb-local-loader-0.1.jar  a no-op Java agent compiled from infra/local/dynamodb-local/StubAgent.java
 *   <cacheRoot>/localstack/lib/java/21 -> the JDK home of `java` on PATH (17 or newer: DynamoDB Local 2.x needs 17)
 *
 * `<cacheRoot>/localstack/lib` is LocalStack's var_libs once `$FILESYSTEM_ROOT/var/lib/localstack/lib` links to it
 * (see localstack.ts).
 *
 * Run directly (`npx tsx infra/local/dynamodb-local.ts`) to install.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MissingPrerequisiteError, capture, requireCommand, runStep } from './exec';
import { cacheRoot, repoRoot } from './paths';
import { isAlive } from './processes';

const sourceDir = join(repoRoot, 'infra', 'local', 'dynamodb-local');
/** The committed Maven project listing DynamoDB Local (and an SLF4J binding). */
export const dynamoDbLocalPom = join(sourceDir, 'pom.xml');
const agentSource = join(sourceDir, 'StubAgent.java');
const AGENT_CLASS = 'stepless.ddblocal.StubAgent';
const MAIN_CLASS = 'com.amazonaws.services.dynamodbv2.local.main.ServerRunner';

/** LocalStack's var_libs, kept in the cache so that every clone shares it. */
export const localstackLibDir = join(cacheRoot, 'localstack', 'lib');
/** LocalStack's package "dynamodb-local", version "2" (DynamoDB Local's major version, not ours). */
export const dynamoDbLocalDir = join(localstackLibDir, 'dynamodb-local', '2');
/** LocalStack's Java 21 for DynamoDB Local; here a link to the machine's Java 17+. */
export const localstackJavaHome = join(localstackLibDir, 'java', '21');

/** Bump when the layout produced below changes, so existing installations are rebuilt. */
const LAYOUT_REVISION = '1';
const STAMP = '.stepless-install';
const MIN_JAVA = 17;

/** The DynamoDB Local version, read from the `dynamodb-local.version` property of the committed pom. */
export function dynamoDbLocalVersion(): string {
  const pom = readFileSync(dynamoDbLocalPom, 'utf8');
  const match = /<dynamodb-local\.version>\s*([^<\s]+)\s*<\/dynamodb-local\.version>/.exec(pom);
  if (!match?.[1]) throw new Error(`${dynamoDbLocalPom} has no <dynamodb-local.version> property`);
  return match[1];
}

/** What an installation was built from: any change to it means a rebuild. */
function installKey(): string {
  const hash = createHash('sha256');
  hash.update(LAYOUT_REVISION);
  hash.update(readFileSync(dynamoDbLocalPom));
  hash.update(readFileSync(agentSource));
  return `DynamoDB Local ${dynamoDbLocalVersion()} ${hash.digest('hex').slice(0, 16)}\n`;
}

/** The sqlite4java native library DynamoDB Local needs on this machine, as named in DynamoDBLocal_lib/. */
function nativeLibrary(): string {
  const { platform, arch } = process;
  if (platform === 'linux' && arch === 'x64') return 'libsqlite4java-linux-amd64.so';
  if (platform === 'linux' && arch === 'ia32') return 'libsqlite4java-linux-i386.so';
  if (platform === 'darwin' && arch === 'x64') return 'libsqlite4java-osx.dylib';
  if (platform === 'win32' && arch === 'x64') return 'sqlite4java-win32-x64.dll';
  throw new MissingPrerequisiteError(
    `DynamoDB Local from Maven Central has no sqlite4java native library for ${platform}/${arch} ` +
      '(com.almworks.sqlite4java 1.0.392 ships linux-amd64, linux-i386, osx x86_64 and win32 builds only): run on x86_64',
  );
}

/** The home of the Java 17+ runtime on PATH (what `java.home` reports). */
function requireJavaHome(): string {
  const howToGet = 'install openjdk-17-jdk-headless (Debian/Ubuntu) or another JDK 17+';
  requireCommand('java', howToGet);
  const res = spawnSync('java', ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  const out = `${res.stderr}${res.stdout}`;
  const home = /^\s*java\.home = (.+)$/m.exec(out)?.[1]?.trim();
  const spec = /^\s*java\.specification\.version = (\d+)(?:\.(\d+))?/m.exec(out);
  const major = spec ? (spec[1] === '1' ? Number(spec[2]) : Number(spec[1])) : NaN;
  if (!home || !(major >= MIN_JAVA)) {
    throw new MissingPrerequisiteError(
      `Java ${MIN_JAVA}+ not found on PATH (DynamoDB Local 2.x needs it; \`java\` reports ${spec ? `Java ${major}` : 'no version'}): ${howToGet}`,
    );
  }
  return home;
}

/** A JDK tool (javac, jar) from the same installation as `java`, else from PATH. */
function jdkTool(javaHome: string, tool: string): string {
  const inHome = join(javaHome, 'bin', tool);
  if (existsSync(inHome)) return inHome;
  return requireCommand(tool, `${tool} is part of a JDK, not a JRE: install openjdk-17-jdk-headless (Debian/Ubuntu)`);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Points LocalStack's Java 21 at the machine's Java. A real directory there (a JDK LocalStack installed itself)
 * is left alone; a link is kept in step with the `java` on PATH.
 */
async function ensureJavaLink(javaHome: string): Promise<void> {
  if (isSymlink(localstackJavaHome)) {
    if (readlinkSync(localstackJavaHome) === javaHome) return;
  } else if (existsSync(join(localstackJavaHome, 'bin', 'java'))) {
    return;
  } else if (existsSync(localstackJavaHome)) {
    await rm(localstackJavaHome, { recursive: true, force: true });
  }
  await mkdir(join(localstackLibDir, 'java'), { recursive: true });
  const tmp = `${localstackJavaHome}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await symlink(javaHome, tmp);
  await rename(tmp, localstackJavaHome); // atomically replaces an older link
}

function isInstalled(key: string): boolean {
  return (
    existsSync(join(dynamoDbLocalDir, 'DynamoDBLocal.jar')) &&
    existsSync(join(dynamoDbLocalDir, 'ddb-local-loader-0.1.jar')) &&
    existsSync(join(dynamoDbLocalDir, 'DynamoDBLocal_lib')) &&
    readStamp(dynamoDbLocalDir) === key
  );
}

function readStamp(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, STAMP), 'utf8');
  } catch {
    return undefined;
  }
}

/** A JAR manifest; long values are folded into 72-byte lines, as the JAR specification requires. */
function manifest(attributes: Record<string, string>): string {
  const lines = ['Manifest-Version: 1.0'];
  for (const [name, value] of Object.entries(attributes)) {
    let rest = `${name}: ${value}`;
    lines.push(rest.slice(0, 72));
    rest = rest.slice(72);
    while (rest.length > 0) {
      lines.push(` ${rest.slice(0, 71)}`);
      rest = rest.slice(71);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Builds a complete installation in `dir` (which must not exist yet). */
async function build(dir: string, javaHome: string, key: string): Promise<void> {
  const version = dynamoDbLocalVersion();
  const lib = join(dir, 'DynamoDBLocal_lib');
  const work = join(dir, '.build');
  await mkdir(work, { recursive: true });

  await runStep(
    `Installing DynamoDB Local ${version} from Maven Central into ${dynamoDbLocalDir}`,
    'mvn',
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      '-f',
      dynamoDbLocalPom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${lib}`,
    ],
    { cwd: repoRoot, logName: 'install-dynamodb-local' },
  );

  // Maven names files <artifactId>-<version>.<type>; sqlite4java looks for its native library without the
  // version (libsqlite4java-linux-amd64.so), which is also how DynamoDB Local's own zip names them.
  for (const name of await readdir(lib)) {
    const native = /^((?:lib)?sqlite4java-[A-Za-z0-9_-]+?)-\d+(?:\.\d+)*\.(so|dll|dylib)$/.exec(name);
    if (native) await rename(join(lib, name), join(lib, `${native[1]}.${native[2]}`));
  }
  const jars = (await readdir(lib)).filter((name) => name.endsWith('.jar')).sort();
  const mainJar = `DynamoDBLocal-${version}.jar`;
  for (const required of [mainJar, nativeLibrary()]) {
    if (!existsSync(join(lib, required))) {
      throw new Error(`Maven did not produce ${required} in ${lib} (see .local/logs/install-dynamodb-local.log)`);
    }
  }

  // The launcher. DynamoDB Local's own jar from Maven has a Class-Path for its zip's file names, which differ.
  const classPath = [mainJar, ...jars.filter((name) => name !== mainJar)].map((name) => `DynamoDBLocal_lib/${name}`);
  await writeFile(join(work, 'launcher.mf'), manifest({ 'Main-Class': MAIN_CLASS, 'Class-Path': classPath.join(' ') }));
  const jar = jdkTool(javaHome, 'jar');
  capture(jar, ['--create', '--file', join(dir, 'DynamoDBLocal.jar'), '--manifest', join(work, 'launcher.mf')]);

  // The no-op agent LocalStack's command line names.
  const classes = join(work, 'classes');
  capture(jdkTool(javaHome, 'javac'), ['--release', String(MIN_JAVA), '-d', classes, agentSource]);
  await writeFile(join(work, 'agent.mf'), manifest({ 'Premain-Class': AGENT_CLASS, 'Agent-Class': AGENT_CLASS }));
  capture(jar, ['--create', '--file', join(dir, 'ddb-local-loader-0.1.jar'), '--manifest', join(work, 'agent.mf'), '-C', classes, '.']);

  await rm(work, { recursive: true, force: true });
  await writeFile(join(dir, STAMP), key);
}

/**
 * Makes sure DynamoDB Local and LocalStack's Java link are installed under `<cacheRoot>/localstack/lib`.
 * Idempotent and quick when they are; rebuilds when the pom, the agent source or this layout changed. A build
 * happens in a temporary directory that replaces the installation only once complete.
 */
export async function ensureDynamoDbLocal(): Promise<void> {
  const javaHome = requireJavaHome();
  await ensureJavaLink(javaHome);

  const key = installKey();
  if (isInstalled(key)) return;

  requireCommand('mvn', 'install Maven 3.6.3+ (Debian/Ubuntu: apt-get install maven)');
  jdkTool(javaHome, 'javac');
  jdkTool(javaHome, 'jar');

  const parent = join(localstackLibDir, 'dynamodb-local');
  await mkdir(parent, { recursive: true });
  for (const entry of await readdir(parent)) {
    const leftover = /^2\.(?:tmp|old)-(\d+)-[0-9a-f]+$/.exec(entry);
    if (leftover && !isAlive(Number(leftover[1]))) await rm(join(parent, entry), { recursive: true, force: true });
  }

  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `2.tmp-${suffix}`);
  const old = join(parent, `2.old-${suffix}`);
  try {
    await build(tmp, javaHome, key);
    if (isInstalled(key)) return; // another process finished the same installation first
    if (existsSync(dynamoDbLocalDir)) await rename(dynamoDbLocalDir, old);
    await rename(tmp, dynamoDbLocalDir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}

if (require.main === module) {
  ensureDynamoDbLocal().then(
    () => {
      process.stdout.write(`DynamoDB Local ${dynamoDbLocalVersion()} is installed in ${dynamoDbLocalDir}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
