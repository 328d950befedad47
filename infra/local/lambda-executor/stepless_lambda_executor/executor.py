"""``HostRuntimeExecutor``: a LocalStack ``RuntimeExecutor`` that runs Node.js handlers as host processes.

LocalStack creates one executor per execution environment (``ExecutionEnvironment.__init__`` calls
``get_runtime_executor()(env_id, function_version)``) and sends it one invocation at a time
(``reserve``/``release``). Each executor owns at most one *session*: a Node.js process running
``node-runtime/bootstrap.mjs`` plus the loopback Runtime API server that process talks to. The process
stays up between invocations (warm reuse). A timeout or a crash ends the session; the next invocation
of the same environment starts a fresh process, as Lambda does after a timeout.

Readiness: the Docker executor waits for the RIE's ``status/ready`` callback inside ``start()``;
``ExecutionEnvironment.start()`` marks the environment READY as soon as ``start()`` returns. Here
``start()`` returns once the runtime asked for its first invocation (init done) or reported an init
error; an init error is then returned as the result of the first invocation, with its logs.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path

from localstack import config
from localstack.aws.api.lambda_ import PackageType
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException, RuntimeExecutor

from .capacity import EnvironmentPool
from .faults import service_error
from .runtime_api import RuntimeApiServer

LOG = logging.getLogger(__name__)

EXECUTOR_NAME = "stepless-host"

# Written by bootstrap.mjs on stdout: after init (before the first /next) and after each invocation
# (before posting its result), so the executor knows it has read all of that phase's output.
_MARKER = re.compile(r"\x1f\x1estepless:(init|end):([^\x1e\x1f\n]*)\x1e\x1f")

# Output kept per invocation (LocalStack puts it into CloudWatch Logs in one PutLogEvents call).
_MAX_OUTPUT_BYTES_PER_INVOCATION = 1024 * 1024
# Output kept per environment for get_logs() (LocalStack prints it when an environment fails).
_ENV_LOG_TAIL_LINES = 500

_NODE_VERSIONS: dict[str, str] = {}
_POOL: EnvironmentPool | None = None
_POOL_LOCK = threading.Lock()


def environment_pool() -> EnvironmentPool:
    """The caps on live environments (capacity.py), read from LocalStack's environment on first use."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = EnvironmentPool.from_environment()
            LOG.info(
                "%s: at most %d environments per function, %d in all",
                EXECUTOR_NAME,
                _POOL.per_function,
                _POOL.total,
            )
        return _POOL
_WARNED_RUNTIMES: set[str] = set()
_WARN_LOCK = threading.Lock()


# --------------------------------------------------------------------------------------------------
# Host facts


def node_binary() -> str | None:
    """The node executable: ``STEPLESS_LAMBDA_NODE`` if set, else ``node`` on LocalStack's PATH."""
    configured = os.environ.get("STEPLESS_LAMBDA_NODE")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("node")


def node_version(binary: str) -> str:
    """``v20.20.2`` for the given binary (cached)."""
    if binary not in _NODE_VERSIONS:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30, check=True)
        _NODE_VERSIONS[binary] = out.stdout.strip()
    return _NODE_VERSIONS[binary]


def bootstrap_path() -> Path:
    """The runtime client: ``STEPLESS_LAMBDA_BOOTSTRAP``, the copy shipped in the package, or the source tree's."""
    configured = os.environ.get("STEPLESS_LAMBDA_BOOTSTRAP")
    candidates = [Path(configured)] if configured else []
    here = Path(__file__).resolve().parent
    candidates += [here / "node_runtime" / "bootstrap.mjs", here.parent / "node-runtime" / "bootstrap.mjs"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise LambdaRuntimeException(
        f"{EXECUTOR_NAME}: Node.js runtime client not found (looked at {', '.join(map(str, candidates))})"
    )


def _runtime_major(runtime: str) -> str | None:
    match = re.match(r"nodejs(\d+)", runtime)
    return match.group(1) if match else None


def _check_function(function_version: FunctionVersion) -> str:
    """Returns the function's runtime, or raises a LambdaRuntimeException saying why it cannot run here."""
    cfg = function_version.config
    if cfg.package_type == PackageType.Image or not cfg.runtime:
        raise LambdaRuntimeException(
            f"The {EXECUTOR_NAME} Lambda executor runs only zip-packaged Node.js functions; "
            f"{function_version.qualified_arn} is a container-image function."
        )
    runtime = str(cfg.runtime)
    if not runtime.startswith("nodejs"):
        raise LambdaRuntimeException(
            f"The {EXECUTOR_NAME} Lambda executor runs only Node.js functions (nodejs* runtimes), but "
            f"{function_version.qualified_arn} declares runtime {runtime}."
        )
    if node_binary() is None:
        raise LambdaRuntimeException(
            f"The {EXECUTOR_NAME} Lambda executor needs Node.js on the host: no 'node' on PATH "
            "(or STEPLESS_LAMBDA_NODE does not point at an executable)."
        )
    return runtime


def _warn_runtime_mismatch_once(runtime: str, host_version: str) -> None:
    declared = _runtime_major(runtime)
    host = host_version.lstrip("v").split(".")[0]
    if declared is None or declared == host:
        return
    with _WARN_LOCK:
        if runtime in _WARNED_RUNTIMES:
            return
        _WARNED_RUNTIMES.add(runtime)
    LOG.warning(
        "%s: functions declaring runtime %s run on the host's Node.js %s (major %s, not %s)",
        EXECUTOR_NAME,
        runtime,
        host_version,
        host,
        declared,
    )


def _peak_rss_mb(pid: int) -> int | None:
    """Peak resident set size of the runtime process (VmHWM), in MB; None off Linux or once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return math.ceil(int(line.split()[1]) / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _exit_description(code: int) -> str:
    """Go-style wording, as Lambda's ``Runtime exited with error: ...`` uses."""
    if code >= 0:
        return f"exit status {code}"
    names = {
        signal.SIGKILL: "killed",
        signal.SIGSEGV: "segmentation fault",
        signal.SIGABRT: "aborted",
        signal.SIGTERM: "terminated",
        signal.SIGBUS: "bus error",
        signal.SIGILL: "illegal instruction",
        signal.SIGFPE: "floating point exception",
    }
    try:
        sig = signal.Signals(-code)
    except ValueError:
        return f"signal: {-code}"
    return f"signal: {names.get(sig, sig.name)}"


def _error_json(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def _normalise_error(body: bytes, error_type: str | None) -> bytes:
    """Error bodies are passed through when they look like Lambda errors, else wrapped into one."""
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and ("errorMessage" in parsed or "errorType" in parsed):
        return body
    return _error_json(error_type or "Unhandled", body.decode("utf-8", "replace"))


def _error_type_of(body: bytes) -> str:
    try:
        parsed = json.loads(body)
        if isinstance(parsed, dict) and parsed.get("errorType"):
            return str(parsed["errorType"])
    except ValueError:
        pass
    return "Unhandled"


# --------------------------------------------------------------------------------------------------
# Output capture


class _Output:
    """The environment's stdout+stderr, split into lines, collected per invocation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: list[str] = []
        self._bytes = 0
        self._dropped = 0
        self._tail: deque[str] = deque(maxlen=_ENV_LOG_TAIL_LINES)

    def append(self, line: str) -> None:
        if not line.endswith("\n"):
            line += "\n"
        with self._lock:
            self._tail.append(line)
            if self._bytes + len(line) > _MAX_OUTPUT_BYTES_PER_INVOCATION:
                self._dropped += 1
                return
            self._lines.append(line)
            self._bytes += len(line)

    def drain(self) -> list[str]:
        with self._lock:
            lines, self._lines, self._bytes = self._lines, [], 0
            if self._dropped:
                lines.append(f"[{EXECUTOR_NAME}: {self._dropped} further output lines dropped (over 1 MiB)]\n")
                self._dropped = 0
            return lines

    def tail(self) -> str:
        with self._lock:
            return "".join(self._tail)


# --------------------------------------------------------------------------------------------------
# One invocation, one runtime process


@dataclasses.dataclass
class _Invocation:
    request_id: str
    payload: bytes
    invoked_function_arn: str
    trace_id: str | None
    deadline_epoch_ms: int
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    # "response" | "error" | "timeout" | "crash" | "stopped"
    outcome: str | None = None
    body: bytes = b""

    def settle(self, outcome: str, body: bytes) -> bool:
        """First settlement wins. Callers hold the session lock."""
        if self.done.is_set():
            return False
        self.outcome, self.body = outcome, body
        self.done.set()
        return True


class _Session:
    """A runtime process and the Runtime API server it polls. Implements ``RuntimeApiBackend``."""

    def __init__(self, executor: "HostRuntimeExecutor", generation: int) -> None:
        self.executor = executor
        self.generation = generation
        self.lock = threading.Lock()
        self.queue: "queue.Queue[_Invocation]" = queue.Queue()
        self.closed = threading.Event()
        # set when init is over: first /next, init/error, or the process died first
        self.ready = threading.Event()
        self.initialized = False
        self.init_failure: bytes | None = None  # the body the runtime POSTed to /init/error
        self.init_duration_ms: float | None = None
        self.init_output: list[str] | None = None
        self.init_marker = threading.Event()
        self.init_reported = False
        self.current: _Invocation | None = None
        self.end_marks: set[str] = set()
        self.marks = threading.Condition()
        self.exited = threading.Event()
        self.exit_code: int | None = None
        self.output_eof = threading.Event()
        self.peak_rss_mb: int | None = None
        self.started_at = time.monotonic()
        self.server = RuntimeApiServer(self)
        self.proc: subprocess.Popen | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def spawn(self, argv: list[str], env: dict[str, str], cwd: str) -> None:
        self.server.start(name=f"lambda-runtime-api-{self.executor.id}-{self.generation}")
        env = {**env, "AWS_LAMBDA_RUNTIME_API": self.server.address}
        self.started_at = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,  # one pipe keeps stdout/stderr lines in order
                start_new_session=True,  # own process group: a kill takes the handler's children too
                close_fds=True,
            )
        except OSError:
            self.server.stop()
            raise
        name = f"lambda-{self.executor.function_version.id.function_name}-{self.executor.id[:8]}-{self.generation}"
        threading.Thread(target=self._read_output, name=f"{name}-out", daemon=True).start()
        threading.Thread(target=self._wait_exit, name=f"{name}-wait", daemon=True).start()

    def is_dead(self) -> bool:
        return self.closed.is_set() or self.exited.is_set()

    def init_failed(self) -> bool:
        """Init is over and did not reach the first /next (init/error, or the process died)."""
        return self.ready.is_set() and not self.initialized

    def kill(self, wait: bool) -> None:
        """Kills the process group and closes the Runtime API; with wait, also collects the last output."""
        self.closed.set()
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        threading.Thread(target=self.server.stop, name="lambda-runtime-api-stop", daemon=True).start()
        if wait and self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                LOG.warning("%s: runtime process %s did not exit after SIGKILL", EXECUTOR_NAME, self.proc.pid)
            self.output_eof.wait(1.0)

    def _wait_exit(self) -> None:
        assert self.proc is not None
        code = self.proc.wait()
        with self.lock:
            self.exit_code = code
            self.exited.set()
            if not self.ready.is_set():
                # init never finished: the invoke path reports Runtime.ExitError
                self.init_duration_ms = (time.monotonic() - self.started_at) * 1000
                self.ready.set()
            inv = self.current
            if inv is not None and not self.closed.is_set():
                inv.settle("crash", b"")
        if not self.closed.is_set():
            LOG.debug("%s: runtime process %s exited with %s", EXECUTOR_NAME, self.proc.pid, code)
        self.closed.set()
        threading.Thread(target=self.server.stop, name="lambda-runtime-api-stop", daemon=True).start()

    def _read_output(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        output = self.executor.output
        try:
            for raw in iter(self.proc.stdout.readline, b""):
                text = raw.decode("utf-8", "replace")
                pos = 0
                for match in _MARKER.finditer(text):
                    before = text[pos : match.start()]
                    if before:
                        output.append(before)
                    self._on_marker(match.group(1), match.group(2))
                    pos = match.end()
                rest = text[pos:]
                if rest and (pos == 0 or rest != "\n"):
                    output.append(rest)
        except (OSError, ValueError):
            pass
        finally:
            self.output_eof.set()
            with self.marks:
                self.marks.notify_all()

    def _on_marker(self, kind: str, value: str) -> None:
        if kind == "init":
            self.init_output = self.executor.output.drain()
            self.init_marker.set()
        else:
            with self.marks:
                self.end_marks.add(value)
                self.marks.notify_all()

    def wait_end_marker(self, request_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.marks:
            while request_id not in self.end_marks and not self.output_eof.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self.marks.wait(remaining)
            self.end_marks.discard(request_id)

    def sample_memory(self) -> None:
        if self.proc is not None:
            rss = _peak_rss_mb(self.proc.pid)
            if rss is not None:
                self.peak_rss_mb = rss

    # -- RuntimeApiBackend ---------------------------------------------------------------------

    def next_invocation(self, is_closed_check_interval: float) -> _Invocation | None:
        with self.lock:
            if not self.initialized and self.init_failure is None:
                self.initialized = True
                self.init_duration_ms = (time.monotonic() - self.started_at) * 1000
                self.ready.set()
        while not self.closed.is_set():
            try:
                return self.queue.get(timeout=is_closed_check_interval)
            except queue.Empty:
                continue
        return None

    def _current_for(self, request_id: str) -> tuple[_Invocation | None, tuple[int, dict] | None]:
        inv = self.current
        if inv is None or inv.request_id != request_id:
            return None, (400, {"errorType": "InvalidRequestID", "errorMessage": f"Invalid request ID: {request_id}"})
        if inv.done.is_set():
            return None, (
                403,
                {"errorType": "InvalidStateTransition", "errorMessage": "Invocation already has a result"},
            )
        return inv, None

    def invocation_response(self, request_id: str, body: bytes) -> tuple[int, dict]:
        with self.lock:
            inv, problem = self._current_for(request_id)
            if problem:
                return problem
            self.sample_memory()
            inv.settle("response", body)
        return 202, {"status": "OK"}

    def invocation_error(self, request_id: str, body: bytes, error_type: str | None) -> tuple[int, dict]:
        with self.lock:
            inv, problem = self._current_for(request_id)
            if problem:
                return problem
            self.sample_memory()
            inv.settle("error", _normalise_error(body, error_type))
        return 202, {"status": "OK"}

    def init_error(self, body: bytes, error_type: str | None) -> tuple[int, dict]:
        with self.lock:
            if self.initialized or self.init_failure is not None:
                return 403, {"errorType": "InvalidStateTransition", "errorMessage": "Init already completed"}
            self.init_failure = _normalise_error(body, error_type)
            self.init_duration_ms = (time.monotonic() - self.started_at) * 1000
            self.ready.set()
        return 202, {"status": "OK"}

    def max_response_bytes(self) -> int:
        return int(config.LAMBDA_LIMITS_MAX_FUNCTION_PAYLOAD_SIZE_BYTES or 6 * 1024 * 1024 + 100)

    def response_too_large(self, request_id: str, size: int) -> None:
        with self.lock:
            inv, problem = self._current_for(request_id)
            if problem:
                return
            inv.settle(
                "error",
                _error_json(
                    "Function.ResponseSizeTooLarge",
                    f"Response payload size exceeded maximum allowed payload size ({self.max_response_bytes()} bytes).",
                ),
            )


# --------------------------------------------------------------------------------------------------
# The executor


class HostRuntimeExecutor(RuntimeExecutor):
    """Runs one execution environment of a Node.js function as a host process (see module docstring)."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:  # noqa: A002
        super().__init__(id=id, function_version=function_version)
        self.output = _Output()
        self._lock = threading.Lock()
        self._session: _Session | None = None
        self._generation = 0
        self._stopped = threading.Event()
        self._env: dict[str, str] | None = None
        self._argv: list[str] | None = None
        self._cwd: str | None = None
        self._node_version = ""
        self._busy = False
        self._idle_since = time.monotonic()
        # LocalStack (4.13.1) builds executors only in ExecutionEnvironment.__init__ and gives an executor
        # no other handle on its environment; evicting must go through the environment, so that
        # LocalStack's assignment service forgets it too.
        caller = sys._getframe(1).f_locals.get("self")
        self._environment = caller if hasattr(caller, "keepalive_passed") else None

    # -- environment ---------------------------------------------------------------------------

    def _build_env(self, env_vars: dict[str, str]) -> dict[str, str]:
        cfg = self.function_version.config
        task_root = str(cfg.code.get_unzipped_code_location())
        runtime_dir = str(bootstrap_path().parent)
        user_env = cfg.environment or {}
        env: dict[str, str] = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
        }
        node_path = [p for p in os.environ.get("STEPLESS_LAMBDA_NODE_PATH", "").split(os.pathsep) if p]
        env["NODE_PATH"] = os.pathsep.join([*node_path, task_root])
        env.update({key: str(value) for key, value in env_vars.items() if value is not None})
        env["LAMBDA_TASK_ROOT"] = task_root
        env["LAMBDA_RUNTIME_DIR"] = runtime_dir
        if "AWS_EXECUTION_ENV" not in user_env:
            env["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{cfg.runtime}"
        return env

    def _node_argv(self, binary: str) -> list[str]:
        # Roughly like Lambda's Node.js runtimes: the JS heap's old space is capped at 90% of the memory.
        memory = int(self.function_version.config.memory_size or 128)
        return [binary, "--expose-gc", f"--max-old-space-size={memory - memory // 10}", str(bootstrap_path())]

    # -- capacity (capacity.Environment) -------------------------------------------------------

    def function_key(self) -> str:
        return self.function_version.id.unqualified_arn()

    def is_idle(self) -> bool:
        return not self._busy and not self._stopped.is_set()

    def idle_since(self) -> float:
        return self._idle_since

    def evict(self) -> bool:
        if self._environment is None:
            return False
        # Stops the environment only if LocalStack has not reserved it for an invocation meanwhile.
        self._environment.keepalive_passed()
        return self._stopped.is_set()

    def _spawn_session(self) -> _Session:
        with self._lock:
            if self._stopped.is_set():
                raise LambdaRuntimeException(f"Execution environment {self.id} is stopped")
            self._generation += 1
            session = _Session(self, self._generation)
            self._session = session
        assert self._argv is not None and self._env is not None and self._cwd is not None
        session.spawn(self._argv, self._env, self._cwd)
        return session

    def _drop_session(self, session: _Session) -> None:
        with self._lock:
            if self._session is session:
                self._session = None

    # -- RuntimeExecutor -----------------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        runtime = _check_function(self.function_version)
        binary = node_binary()
        assert binary is not None
        self._node_version = node_version(binary)
        _warn_runtime_mismatch_once(runtime, self._node_version)
        self._env = self._build_env(env_vars)
        self._argv = self._node_argv(binary)
        self._cwd = self._env["LAMBDA_TASK_ROOT"]
        if not os.path.isdir(self._cwd):
            raise LambdaRuntimeException(f"Code directory {self._cwd} of {self.function_version.qualified_arn} is missing")
        self._busy = True  # starting: not a candidate for eviction
        try:
            environment_pool().admit(self, self._stopped.is_set)
        except TimeoutError as e:
            raise LambdaRuntimeException(
                f"{EXECUTOR_NAME}: no capacity for another environment of {self.function_version.qualified_arn}: {e}"
            ) from e
        session = self._spawn_session()
        # ExecutionEnvironment's startup timer (LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT) calls stop() when init
        # takes too long; that must end this wait.
        while not session.ready.wait(0.05):
            if self._stopped.is_set():
                raise LambdaRuntimeException(f"Execution environment {self.id} was stopped during startup")
        if self._stopped.is_set():
            raise LambdaRuntimeException(f"Execution environment {self.id} was stopped during startup")
        LOG.debug(
            "%s: environment %s of %s started in %.0f ms (pid %s)",
            EXECUTOR_NAME,
            self.id,
            self.function_version.qualified_arn,
            (time.monotonic() - session.started_at) * 1000,
            session.proc.pid if session.proc else None,
        )

    def stop(self) -> None:
        self._stopped.set()
        environment_pool().release(self)
        with self._lock:
            session, self._session = self._session, None
        if session is None:
            return
        with session.lock:
            if session.current is not None:
                session.current.settle("stopped", b"")
        session.kill(wait=False)

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        """How the function reaches LocalStack: the gateway's host, loopback when it listens on all interfaces."""
        host = config.GATEWAY_LISTEN[0].host if config.GATEWAY_LISTEN else ""
        if host in ("", "0.0.0.0", "::", "[::]"):
            return "127.0.0.1"
        if ":" in host and not host.startswith("["):
            return f"[{host}]"
        return host

    def get_runtime_endpoint(self) -> str:
        # Only informational here (LOCALSTACK_RUNTIME_ENDPOINT): the runtime talks to our own Runtime API.
        return f"http://{self.get_endpoint_from_executor()}:{config.GATEWAY_LISTEN[0].port}/_localstack_lambda/{self.id}"

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        self._busy = True
        try:
            return self._invoke(payload)
        finally:
            self._busy = False
            self._idle_since = time.monotonic()
            environment_pool().notify_idle()

    def _invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        cfg = self.function_version.config
        injected = service_error(cfg.environment, payload.get("payload"))
        if injected is not None:
            raise LambdaRuntimeException(injected)
        timeout_s = float(cfg.timeout or 3)
        started = time.monotonic()
        started_epoch = time.time()
        deadline = started + timeout_s
        qualifier = self.function_version.id.qualifier

        with self._lock:
            session = self._session
        # A runtime that died after a successful init (or a failed init already reported) is replaced;
        # a failed init that no invocation has reported yet is reported by this one.
        if session is None or (session.is_dead() and not (session.init_failed() and not session.init_reported)):
            if session is not None:
                self._drop_session(session)
            session = self._spawn_session()

        log_head: list[str] = []
        init_duration: float | None = None
        first_of_session = not session.init_reported
        if first_of_session:
            session.init_reported = True
            if not session.ready.wait(max(0.0, deadline - time.monotonic())):
                # init (of a re-spawned runtime) ate the whole function timeout
                return self._finish_timeout(session, request_id, started, timeout_s, qualifier, init_phase=True)
            init_duration = session.init_duration_ms
            log_head.append(f"INIT_START Runtime Version: {cfg.runtime} on host Node.js {self._node_version}\n")
            if session.init_failed():
                return self._finish_init_error(session, request_id, started, qualifier, log_head)
            session.init_marker.wait(1.0)
            log_head += session.init_output or []

        invocation = _Invocation(
            request_id=request_id,
            payload=(payload.get("payload") or "{}").encode("utf-8"),
            invoked_function_arn=payload.get("invoked-function-arn") or self.function_version.qualified_arn,
            trace_id=payload.get("trace-id"),
            deadline_epoch_ms=int((started_epoch + timeout_s) * 1000),
        )
        with session.lock:
            if session.is_dead():
                invocation.settle("crash", b"")
            session.current = invocation
        queued = time.monotonic()
        session.queue.put(invocation)
        # wait for the result, sampling the peak RSS meanwhile (a crashed process can't be asked afterwards)
        while not invocation.done.wait(min(0.25, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                break
            session.sample_memory()
        with session.lock:
            if not invocation.done.is_set():
                session.sample_memory()
                invocation.settle("timeout", b"")
        finished = time.monotonic()

        if invocation.outcome == "stopped":
            raise LambdaRuntimeException(f"Execution environment {self.id} was stopped during invocation {request_id}")
        if invocation.outcome == "timeout":
            return self._finish_timeout(session, request_id, queued, timeout_s, qualifier, log_head, init_duration)

        status_suffix = ""
        if invocation.outcome == "crash":
            session.output_eof.wait(1.0)
            self._drop_session(session)
            code = session.exit_code if session.exit_code is not None else -signal.SIGKILL
            body = _error_json(
                "Runtime.ExitError", f"RequestId: {request_id} Error: Runtime exited with error: {_exit_description(code)}"
            )
            tail = [
                f"RequestId: {request_id} Error: Runtime exited with error: {_exit_description(code)}\n",
                "Runtime.ExitError\n",
            ]
            status_suffix = "\tStatus: error\tError Type: Runtime.ExitError"
        else:
            session.wait_end_marker(request_id, 2.0)
            body = invocation.body
            tail = []
        with session.lock:
            session.current = None
        logs = self._compose_logs(
            log_head, request_id, qualifier, tail, (finished - queued) * 1000, session, init_duration, status_suffix
        )
        return InvocationResult(request_id, body, is_error=invocation.outcome != "response", logs=logs)

    def _finish_timeout(
        self,
        session: _Session,
        request_id: str,
        since: float,
        timeout_s: float,
        qualifier: str,
        log_head: list[str] | None = None,
        init_duration: float | None = None,
        init_phase: bool = False,
    ) -> InvocationResult:
        duration_ms = (time.monotonic() - since) * 1000
        session.sample_memory()
        # Lambda does not reuse the runtime after a timeout: kill it, the next invoke starts a fresh one.
        session.kill(wait=True)
        self._drop_session(session)
        with session.lock:
            session.current = None
        message = f"Task timed out after {timeout_s:.2f} seconds"
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        head = list(log_head or [])
        if init_phase:
            head.append(f"INIT_START Runtime Version: {self.function_version.config.runtime} on host Node.js {self._node_version}\n")
        logs = self._compose_logs(
            head,
            request_id,
            qualifier,
            [f"{stamp} {request_id} {message}\n"],
            duration_ms,
            session,
            init_duration,
            "\tStatus: timeout",
        )
        body = _error_json("Sandbox.Timedout", f"RequestId: {request_id} Error: {message}")
        return InvocationResult(request_id, body, is_error=True, logs=logs)

    def _finish_init_error(
        self, session: _Session, request_id: str, started: float, qualifier: str, log_head: list[str]
    ) -> InvocationResult:
        if session.init_failure is not None:
            body = session.init_failure
            # the runtime exits after reporting; wait briefly so its last output is collected
            session.exited.wait(1.0)
        else:
            code = session.exit_code if session.exit_code is not None else -signal.SIGKILL
            body = _error_json(
                "Runtime.ExitError", f"RequestId: {request_id} Error: Runtime exited with error: {_exit_description(code)}"
            )
        session.kill(wait=True)
        self._drop_session(session)  # the next invocation tries init again, in a new process
        error_type = _error_type_of(body)
        head = log_head + self.output.drain()
        head.append(
            f"INIT_REPORT Init Duration: {session.init_duration_ms or 0:.2f} ms\tPhase: init\tStatus: error\tError Type: {error_type}\n"
        )
        logs = self._compose_logs(
            head,
            request_id,
            qualifier,
            [],
            (time.monotonic() - started) * 1000,
            session,
            None,
            f"\tStatus: error\tError Type: {error_type}",
        )
        return InvocationResult(request_id, body, is_error=True, logs=logs)

    def _compose_logs(
        self,
        head: list[str],
        request_id: str,
        qualifier: str,
        tail: list[str],
        duration_ms: float,
        session: _Session,
        init_duration: float | None,
        status_suffix: str,
    ) -> str:
        memory = self.function_version.config.memory_size
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, math.ceil(duration_ms))} ms\tMemory Size: {memory} MB\t"
            f"Max Memory Used: {session.peak_rss_mb or 0} MB"
        )
        if init_duration is not None:
            report += f"\tInit Duration: {init_duration:.2f} ms"
        report += status_suffix
        lines = [
            *head,
            f"START RequestId: {request_id} Version: {qualifier}\n",
            *self.output.drain(),
            *tail,
            f"END RequestId: {request_id}\n",
            report + "\n",
        ]
        return "".join(lines)

    def get_logs(self) -> str:
        return self.output.tail()

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        # Unsupported functions fail at creation (State: Failed, with this reason) instead of at invoke.
        # LocalStack's own hint for invoking a Failed function talks about Docker; this line says why.
        try:
            _check_function(function_version)
        except LambdaRuntimeException as e:
            LOG.warning("%s", e)
            raise
        bootstrap_path()
        if function_version.config.code:
            function_version.config.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        binary = node_binary()
        if binary is None:
            LOG.warning(
                "%s: no 'node' found on PATH (or at STEPLESS_LAMBDA_NODE); Node.js Lambda functions cannot run",
                EXECUTOR_NAME,
            )
            return False
        try:
            LOG.info("%s: running Node.js Lambda functions with %s (%s)", EXECUTOR_NAME, binary, node_version(binary))
        except (OSError, subprocess.SubprocessError) as e:
            LOG.warning("%s: %s --version failed: %s", EXECUTOR_NAME, binary, e)
            return False
        return True
