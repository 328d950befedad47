// A Lambda Runtime API client for Node.js handlers, in plain JavaScript with no dependencies.
//
// The stepless-host LocalStack executor starts one `node bootstrap.mjs` per execution environment with
// AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>, _HANDLER=<file>.<export> and LAMBDA_TASK_ROOT=<unzipped code>.
// It speaks the standard Runtime API (2018-06-01), so any Lambda runtime host could drive it:
//   init:  load the handler; on failure POST /runtime/init/error and exit
//   loop:  GET /runtime/invocation/next -> call the handler -> POST .../{id}/response or .../{id}/error
//
// Between init and the first `next`, and after each invocation before posting its result, it writes a
// marker line to stdout so the executor knows it has read all output of that phase.

import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync, writeSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const API = process.env.AWS_LAMBDA_RUNTIME_API;
const HANDLER = process.env._HANDLER ?? '';
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const [API_HOST, API_PORT] = splitHostPort(API ?? '');
const PREFIX = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

const JSON_LOGS = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const minLevel = Math.max(0, LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL ?? 'TRACE').toUpperCase()));

/** The invocation being handled (undefined during init and between invocations). */
let current;

// ---------------------------------------------------------------------------------------------------
// Output

/** Synchronous write to stdout (the executor's pipe), retrying if the fd was made non-blocking. */
function writeOut(text) {
  let buf = Buffer.from(text);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(1, buf));
    } catch (err) {
      if (err?.code !== 'EAGAIN') return; // stdout is gone: nothing sensible left to do
    }
  }
}

function marker(kind, value = '') {
  writeOut(`\x1f\x1estepless:${kind}:${value}\x1e\x1f\n`);
}

/** console.* as Lambda's Node.js runtime prints it: timestamp, request id, level, message on one line. */
function patchConsole() {
  const emit = (level, args) => {
    if (LEVELS.indexOf(level) < minLevel) return;
    const requestId = current?.requestId;
    const message = util.format(...args);
    const line = JSON_LOGS
      ? JSON.stringify({ timestamp: new Date().toISOString(), level, requestId, message })
      : // a multi-line message stays one log event: newlines become carriage returns, like Lambda
        `${new Date().toISOString()}\t${requestId}\t${level}\t${message.replace(/\n/g, '\r')}`;
    writeOut(`${line}\n`);
  };
  console.log = (...a) => emit('INFO', a);
  console.info = (...a) => emit('INFO', a);
  console.warn = (...a) => emit('WARN', a);
  console.error = (...a) => emit('ERROR', a);
  console.debug = (...a) => emit('DEBUG', a);
  console.trace = (...a) => {
    const stack = new Error().stack?.split('\n').slice(2).join('\n') ?? '';
    emit('TRACE', [`Trace: ${util.format(...a)}\n${stack}`]);
  };
  console.fatal = (...a) => emit('FATAL', a);
}

function logError(title, payload) {
  console.error(`${title} \t${JSON.stringify(payload)}`);
}

// ---------------------------------------------------------------------------------------------------
// Runtime API

function splitHostPort(hostPort) {
  const i = hostPort.lastIndexOf(':');
  return i < 0 ? [hostPort, 80] : [hostPort.slice(0, i).replace(/^\[|\]$/g, ''), Number(hostPort.slice(i + 1))];
}

function call(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      {
        host: API_HOST,
        port: API_PORT,
        method,
        path: PREFIX + urlPath,
        agent,
        headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers } : headers,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function nextInvocation() {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await call('GET', '/invocation/next');
      if (res.status === 200) return res;
      if (res.status === 410) process.exit(0); // the environment is shutting down
      throw new Error(`GET /invocation/next answered ${res.status}: ${res.body}`);
    } catch (err) {
      // the executor is gone (LocalStack stopped or crashed): do not linger as an orphan
      if (attempt >= 5) {
        process.stderr.write(`Runtime API unreachable (${err.message}); exiting\n`);
        process.exit(1);
      }
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

async function post(urlPath, payload, headers) {
  try {
    const res = await call('POST', urlPath, payload, headers);
    if (res.status === 413) console.error(`Response payload too large: ${res.body}`);
    else if (res.status >= 300) console.error(`POST ${urlPath} answered ${res.status}: ${res.body}`);
  } catch (err) {
    process.stderr.write(`POST ${urlPath} failed: ${err.message}\n`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------------
// Errors

function errorTypeOf(err) {
  if (err instanceof Error || (err !== null && typeof err === 'object')) {
    const name = typeof err.name === 'string' && err.name ? err.name : undefined;
    return name ?? err.constructor?.name ?? 'Error';
  }
  return typeof err;
}

/** The error shape Lambda's Node.js runtime returns: errorType, errorMessage, trace (stack lines). */
function toErrorPayload(err, forcedType) {
  const errorType = forcedType ?? errorTypeOf(err);
  let errorMessage;
  if (err instanceof Error || (err !== null && typeof err === 'object' && 'message' in err)) {
    errorMessage = String(err.message);
  } else if (typeof err === 'string') {
    errorMessage = err;
  } else {
    try {
      errorMessage = JSON.stringify(err) ?? String(err);
    } catch {
      errorMessage = String(err);
    }
  }
  const trace = typeof err?.stack === 'string' ? err.stack.split('\n') : [];
  return { errorType, errorMessage, trace };
}

/** An init failure with Lambda's error type (Runtime.ImportModuleError, ...); its trace is the cause's, if any. */
class InitError extends Error {
  constructor(errorType, message, cause) {
    super(message);
    this.errorType = errorType;
    const frames = (cause?.stack ?? this.stack ?? '').split('\n').filter((l) => l.startsWith('    at '));
    this.stack = [`${errorType}: ${message}`, ...frames].join('\n');
  }
}

// ---------------------------------------------------------------------------------------------------
// Loading the handler

function nearestPackageType(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8')).type ?? 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (path.dirname(d) === d) return 'commonjs';
  }
}

async function importFile(file) {
  return import(pathToFileURL(file).href);
}

async function loadModule(file) {
  const ext = path.extname(file);
  if (ext === '.mjs') return importFile(file);
  const require = createRequire(file);
  if (ext === '.cjs') return require(file);
  if (ext === '.js' && nearestPackageType(path.dirname(file)) === 'module') return importFile(file);
  try {
    return require(file);
  } catch (err) {
    // an ES module in a .js file (or one using top-level await): load it the ESM way
    if (err?.code === 'ERR_REQUIRE_ESM' || err?.code === 'ERR_REQUIRE_ASYNC_MODULE') return importFile(file);
    throw err;
  }
}

function isModuleNotFound(err) {
  return err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND';
}

async function loadHandler() {
  const slash = HANDLER.lastIndexOf('/');
  const dir = HANDLER.slice(0, slash + 1);
  const base = HANDLER.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot < 1 || dot === base.length - 1) {
    throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${HANDLER}: expected <file>.<export>`);
  }
  const moduleName = dir + base.slice(0, dot);
  const exportPath = base.slice(dot + 1);
  const moduleBase = path.resolve(TASK_ROOT, moduleName);

  let file = ['.js', '.mjs', '.cjs'].map((ext) => moduleBase + ext).find((f) => existsSync(f) && statSync(f).isFile());
  if (!file) {
    // also accept whatever require.resolve finds (a directory with index.js, a package in node_modules)
    try {
      file = createRequire(path.join(TASK_ROOT, 'noop.js')).resolve(moduleName.startsWith('.') ? moduleName : `./${moduleName}`);
    } catch {
      throw new InitError(
        'Runtime.ImportModuleError',
        `Error: Cannot find module '${moduleName}'\nLooked for ${moduleName}.js, ${moduleName}.mjs and ${moduleName}.cjs in ${TASK_ROOT}`,
      );
    }
  }

  let mod;
  try {
    mod = await loadModule(file);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new InitError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`, err);
    }
    if (isModuleNotFound(err)) {
      throw new InitError('Runtime.ImportModuleError', `Error: ${err.message}`, err);
    }
    throw err; // an error thrown by the module's own top-level code keeps its type
  }

  const lookup = (root) => exportPath.split('.').reduce((obj, key) => (obj == null ? undefined : obj[key]), root);
  let handler = lookup(mod);
  if (handler === undefined && mod && typeof mod === 'object' && 'default' in mod) handler = lookup(mod.default);
  if (handler === undefined) {
    throw new InitError('Runtime.HandlerNotFound', `${moduleName}.${exportPath} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new InitError('Runtime.HandlerNotFound', `${moduleName}.${exportPath} is not a function`);
  }
  return handler;
}

// ---------------------------------------------------------------------------------------------------
// Invocations

/** Called when the event loop has nothing left to do (see callbackWaitsForEmptyEventLoop). */
let onEmptyLoop;
process.on('beforeExit', () => {
  const fn = onEmptyLoop;
  onEmptyLoop = undefined;
  if (fn) fn();
});

function makeContext(inv, finish) {
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: inv.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: inv.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, inv.deadlineMs - Date.now()),
    // the legacy context methods
    done: (err, result) => finish(err, result, true),
    succeed: (result) => finish(null, result, true),
    fail: (err) => finish(err ?? 'handled', undefined, true),
  };
}

/** Runs the handler; resolves with { error } or { result } following Lambda's rules for async and callback handlers. */
function runHandler(handler, event, inv) {
  return new Promise((resolve) => {
    let settled = false;
    let context;
    const settle = (outcome) => {
      if (settled) return;
      settled = true;
      onEmptyLoop = undefined;
      resolve(outcome);
    };
    const outcomeOf = (err, result) => (err !== null && err !== undefined ? { error: err } : { result });
    // callback(err, result): with callbackWaitsForEmptyEventLoop (the default) the response waits until the
    // event loop is empty; context.done/succeed/fail respond at once.
    const finish = (err, result, immediately = false) => {
      if (settled) return;
      if (immediately || !context.callbackWaitsForEmptyEventLoop) settle(outcomeOf(err, result));
      else onEmptyLoop = () => settle(outcomeOf(err, result));
    };
    context = makeContext(inv, finish);
    const callback = (err, result) => finish(err, result);
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (err) {
      settle({ error: err });
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then(
        (result) => settle({ result }),
        (err) => settle({ error: err ?? new Error('Promise rejected without a reason') }),
      );
      // a promise that never settles while nothing else is pending: respond null rather than hang
      if (!settled && !onEmptyLoop) onEmptyLoop = () => settle({ result: null });
    } else if (!settled && !onEmptyLoop) {
      // a synchronous handler that did not call back: Lambda responds null once the event loop is empty
      onEmptyLoop = () => settle({ result: null });
    }
  });
}

async function handleOne(handler, res) {
  const h = res.headers;
  const inv = {
    requestId: String(h['lambda-runtime-aws-request-id']),
    deadlineMs: Number(h['lambda-runtime-deadline-ms']),
    invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
    traceId: h['lambda-runtime-trace-id'],
  };
  if (inv.traceId) process.env._X_AMZN_TRACE_ID = inv.traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  current = inv;

  let event;
  try {
    event = JSON.parse(res.body.toString('utf8') || 'null');
  } catch (err) {
    await sendError(inv, { errorType: 'Runtime.UnmarshalError', errorMessage: `Unable to parse event: ${err.message}`, trace: [] });
    return;
  }
  const outcome = await runHandler(handler, event, inv);
  if ('error' in outcome) {
    await sendError(inv, toErrorPayload(outcome.error));
    return;
  }
  let body;
  try {
    body = JSON.stringify(outcome.result === undefined ? null : outcome.result);
  } catch (err) {
    await sendError(inv, toErrorPayload(err, 'Runtime.SerializationError'));
    return;
  }
  marker('end', inv.requestId);
  current = undefined;
  await post(`/invocation/${inv.requestId}/response`, body);
}

async function sendError(inv, payload) {
  logError('Invoke Error', payload);
  marker('end', inv.requestId);
  current = undefined;
  await post(`/invocation/${inv.requestId}/error`, JSON.stringify(payload), {
    'Lambda-Runtime-Function-Error-Type': payload.errorType,
  });
}

// An error escaping the handler's promise chain ends the invocation with that error and the runtime
// process with it (Lambda restarts the runtime for the next invocation).
async function fatal(err, errorType, title) {
  const payload = toErrorPayload(err, errorType);
  const inv = current;
  if (inv) {
    await sendError(inv, payload);
  } else if (!initDone) {
    logError(title, payload);
    await post('/init/error', JSON.stringify(payload), { 'Lambda-Runtime-Function-Error-Type': payload.errorType });
  } else {
    logError(title, payload);
  }
  process.exit(129);
}
process.on('uncaughtException', (err) => void fatal(err, undefined, 'Uncaught Exception'));
process.on('unhandledRejection', (reason) => {
  const err = reason instanceof Error ? reason : new Error(String(reason));
  void fatal(err, 'Runtime.UnhandledPromiseRejection', 'Unhandled Promise Rejection');
});

// ---------------------------------------------------------------------------------------------------

let initDone = false;

async function main() {
  if (!API) {
    process.stderr.write('AWS_LAMBDA_RUNTIME_API is not set\n');
    process.exit(1);
  }
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    const payload = toErrorPayload(err, err instanceof InitError ? err.errorType : undefined);
    logError('Init Error', payload);
    await post('/init/error', JSON.stringify(payload), { 'Lambda-Runtime-Function-Error-Type': payload.errorType });
    process.exit(1);
  }
  initDone = true;
  marker('init');
  for (;;) {
    const res = await nextInvocation();
    await handleOne(handler, res);
  }
}

void main();
