"""LocalStack runtime hooks: load the saved state when the gateway is up, save it on shutdown.

Both do nothing unless LocalStack runs with PERSISTENCE=1 (``config.is_persistence_enabled()``), so
installing the package into a shared virtualenv changes nothing for LocalStacks started without it.
"""

import json
import logging
import threading
from pathlib import Path

from localstack import config
from localstack.runtime import hooks

from .snapshot import load_all, save_all, snapshot_dir

LOG = logging.getLogger(__name__)

# Saving while a load is half done would replace the good snapshot with a partial one.
_loaded = threading.Event()


def running_marker() -> Path:
    """Present while a LocalStack that loaded the state runs; still there at start-up means it was killed."""
    return Path(config.dirs.data) / "stepless-running"


def status_file() -> Path:
    """Where the outcome of the start-up load is written; the launcher waits for this file."""
    return Path(config.dirs.data) / "stepless-load-status.json"


@hooks.on_infra_ready()
def load_state_on_ready() -> None:
    if not config.is_persistence_enabled():
        return
    unclean = running_marker().exists()
    try:
        report = load_all() or {"loaded": [], "failed": {}, "skipped": {}, "snapshot": False}
    except Exception as e:  # the launcher must hear about it rather than wait forever
        LOG.exception("could not load the saved state")
        report = {"loaded": [], "failed": {"*": f"{type(e).__name__}: {e}"}, "skipped": {}}
    report["snapshotDir"] = str(snapshot_dir())
    # What changed after the last clean stop was never saved (DynamoDB Local's own files excepted).
    report["uncleanStop"] = unclean
    running_marker().touch()
    status_file().write_text(json.dumps(report, indent=2))
    LOG.info("stepless: state loaded for %s; failed: %s", report["loaded"], report["failed"])
    _loaded.set()


# Before the services stop (SERVICE_SHUTDOWN_PRIORITY is -10; higher runs first): stopping S3 discards its objects.
@hooks.on_infra_shutdown(priority=100)
def save_state_on_shutdown() -> None:
    if not config.is_persistence_enabled():
        return
    if not _loaded.is_set():
        LOG.warning("stepless: shutting down before the saved state was loaded; keeping the previous snapshot")
        return
    report = save_all()
    running_marker().unlink(missing_ok=True)
    LOG.info("stepless: state saved for %s; failed: %s", report["services"], report["failed"])
