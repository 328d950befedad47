"""Saves and loads the state of LocalStack's running services with the community state API.

Each service hands its state containers to a visitor (``Service.accept_state_visitor``): LocalStack
stores (``AccountRegionBundle``), moto backends (``BackendDict``) and asset directories. The save
visitor pickles the first two with LocalStack's own dill wrapper; the load visitor puts the pickled
content back into the live containers, between the provider's ``on_before_state_load`` and
``on_after_state_load`` hooks (which, for Lambda, start the restored function versions again).
"""

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from moto.core.base_backend import BackendDict

from localstack import config
from localstack.services.plugins import SERVICE_PLUGINS, Service, ServiceState
from localstack.services.stores import AccountRegionBundle
from localstack.state import AssetDirectory, StateVisitor, pickle

from . import reducers  # noqa: F401  (registers the reducers with LocalStack's pickler)

LOG = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
S3_OBJECTS = "s3-objects"


def _bundle_file(bundle: AccountRegionBundle) -> str:
    return f"store-{bundle.service_name}-{bundle.store.__name__}.pickle"


def _backend_file(backend: BackendDict) -> str:
    return f"moto-{backend.service_name}.pickle"


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


class SaveVisitor(StateVisitor):
    """Writes each state container of one service into ``service_dir``."""

    def __init__(self, service_dir: Path, data_root: Path) -> None:
        self.service_dir = service_dir
        self.data_root = data_root
        self.skipped: list[str] = []

    def visit(self, state_container: Any) -> None:
        if isinstance(state_container, AccountRegionBundle):
            self._dump(_bundle_file(state_container), dict(state_container), state_container._universal)
        elif isinstance(state_container, BackendDict):
            self._dump(_backend_file(state_container), dict(state_container))
        elif isinstance(state_container, AssetDirectory):
            # DynamoDB Local already writes its files under the data directory when PERSISTENCE=1;
            # S3's asset directory holds only spilled temporary files, saved object by object instead.
            if not _inside(state_container.path, self.data_root) and state_container.service_name != "s3":
                self.skipped.append(f"asset directory {state_container.path}")
        else:
            self.skipped.append(type(state_container).__name__)

    def _dump(self, name: str, *content: Any) -> None:
        with open(self.service_dir / name, "wb") as file:
            pickle.dump(content, file)


class LoadVisitor(StateVisitor):
    """Puts the content saved by ``SaveVisitor`` back into the live state containers."""

    def __init__(self, service_dir: Path) -> None:
        self.service_dir = service_dir

    def visit(self, state_container: Any) -> None:
        if isinstance(state_container, AccountRegionBundle):
            loaded = self._load(_bundle_file(state_container))
            if loaded is None:
                return
            accounts, universal = loaded
            state_container.clear()
            # The region bundles share the loaded cross-account dict, so the bundle must hold that one too.
            state_container._universal = universal
            dict.update(state_container, accounts)
        elif isinstance(state_container, BackendDict):
            loaded = self._load(_backend_file(state_container))
            if loaded is None:
                return
            (accounts,) = loaded
            state_container.clear()
            dict.update(state_container, accounts)
            if accounts and state_container not in BackendDict._instances:
                BackendDict._instances.append(state_container)

    def _load(self, name: str) -> Any:
        path = self.service_dir / name
        if not path.exists():
            return None
        with open(path, "rb") as file:
            return pickle.load(file)


def _s3_objects(s3_stores: AccountRegionBundle) -> Iterator[tuple[str, Any]]:
    """Every object version that has content, as (bucket name, S3Object), across accounts."""
    from localstack.services.s3.models import S3DeleteMarker, VersionedKeyStore

    for account_bundle in s3_stores.values():
        # Buckets are a cross-region attribute: any region's store lists all of the account's buckets.
        for store in list(account_bundle.values())[:1]:
            for name, bucket in dict(store.buckets).items():
                objects = bucket.objects
                versions = objects.values(with_versions=True) if isinstance(objects, VersionedKeyStore) else objects.values()
                for s3_object in versions:
                    if not isinstance(s3_object, S3DeleteMarker):
                        yield name, s3_object


def _object_file(root: Path, bucket: str, s3_object: Any) -> Path:
    digest = hashlib.sha256(f"{s3_object.key}?{s3_object.version_id or 'null'}".encode()).hexdigest()
    return root / bucket / digest


def _save_s3_objects(service: Service, service_dir: Path) -> int:
    """S3's object bytes live in the provider's storage backend, not in its stores; they are saved one file each."""
    from localstack.services.s3.models import s3_stores

    backend = service._provider._storage_backend
    root = service_dir / S3_OBJECTS
    count = 0
    for bucket, s3_object in _s3_objects(s3_stores):
        target = _object_file(root, bucket, s3_object)
        target.parent.mkdir(parents=True, exist_ok=True)
        with backend.open(bucket, s3_object, mode="r") as stored, open(target, "wb") as file:
            while chunk := stored.read(1024 * 1024):
                file.write(chunk)
        count += 1
    return count


def _load_s3_objects(service: Service, service_dir: Path) -> list[str]:
    from localstack.services.s3.models import s3_stores

    backend = service._provider._storage_backend
    root = service_dir / S3_OBJECTS
    missing = []
    for bucket, s3_object in _s3_objects(s3_stores):
        source = _object_file(root, bucket, s3_object)
        if not source.exists():
            missing.append(f"s3://{bucket}/{s3_object.key}")
            continue
        # Writing recomputes a plain MD5 ETag; a multipart object's ETag ("<md5>-<parts>") must survive.
        etag = s3_object.etag
        with open(source, "rb") as file, backend.open(bucket, s3_object, mode="w") as stored:
            stored.write(file)
        s3_object.etag = etag
    return missing


def _load_order(service: str) -> int:
    # Lambda's code archives are S3 objects (an internal bucket), so S3 comes back before Lambda
    # starts the restored functions; CloudFormation only describes resources, so it comes last.
    return {"s3": 0, "lambda": 2, "apigateway": 3, "cloudformation": 4}.get(service, 1)


def snapshot_dir() -> Path:
    return Path(config.dirs.data) / "stepless-snapshot"


def save_all() -> dict[str, Any]:
    """Saves every running service into a fresh directory, then swaps it in, so a failed save never
    leaves a half-written snapshot in place of the last good one."""
    data_root = Path(config.dirs.data)
    final = snapshot_dir()
    staging = final.with_name(final.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    report: dict[str, Any] = {"format": FORMAT_VERSION, "savedAt": time.time(), "services": [], "skipped": {}, "failed": {}}
    for name, state in SERVICE_PLUGINS.get_states().items():
        if state != ServiceState.RUNNING:
            continue
        service = SERVICE_PLUGINS.get_service(name)
        service_dir = staging / name
        service_dir.mkdir()
        try:
            service.lifecycle_hook.on_before_state_save()
            visitor = SaveVisitor(service_dir, data_root)
            service.accept_state_visitor(visitor)
            if name == "s3":
                report["s3Objects"] = _save_s3_objects(service, service_dir)
            service.lifecycle_hook.on_after_state_save()
        except Exception as e:  # one service's failure must not cost the others their state
            LOG.exception("could not save the state of %s", name)
            report["failed"][name] = f"{type(e).__name__}: {e}"
            shutil.rmtree(service_dir, ignore_errors=True)
            continue
        report["services"].append(name)
        if visitor.skipped:
            report["skipped"][name] = visitor.skipped
    (staging / MANIFEST).write_text(json.dumps(report, indent=2))
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.rename(final, old)
    os.rename(staging, final)
    shutil.rmtree(old, ignore_errors=True)
    return report


def _rebuild_event_services(service: Service) -> None:
    """EventBridge's provider keeps each bus's, rule's and target's delivery objects in memory only, built
    by CreateEventBus, PutRule and PutTargets, and has no load hook: after a load the rules exist but
    deliver nowhere. Rebuilds them from the loaded stores (rules with a schedule are not rescheduled)."""
    from localstack.services.events.event_bus import EventBusService
    from localstack.services.events.models import events_stores
    from localstack.services.events.rule import RuleService

    provider = service.lifecycle_hook
    for account_id, region, store in events_stores.iter_stores():
        for bus in store.event_buses.values():
            provider._event_bus_services_store[bus.arn] = EventBusService(bus)
            for rule in bus.rules.values():
                provider._rule_services_store[rule.arn] = RuleService(rule)
                for target in rule.targets.values():
                    provider.create_target_sender(target, rule.arn, rule.name, region, account_id)


def load_all() -> dict[str, Any] | None:
    """Loads the saved snapshot, if any, into the services it names (starting them); None if there is none."""
    root = snapshot_dir()
    manifest_path = root / MANIFEST
    if not manifest_path.exists():
        return None
    manifest = json.loads(manifest_path.read_text())
    report: dict[str, Any] = {
        "savedAt": manifest.get("savedAt"),
        "loaded": [],
        "failed": dict(manifest.get("failed", {})),
        "skipped": manifest.get("skipped", {}),
    }
    if manifest.get("format") != FORMAT_VERSION:
        report["failed"]["*"] = f"snapshot format {manifest.get('format')} is not {FORMAT_VERSION}"
        return report
    for name in sorted(manifest["services"], key=_load_order):
        try:
            service = SERVICE_PLUGINS.require(name)
            service.lifecycle_hook.on_before_state_load()
            service.accept_state_visitor(LoadVisitor(root / name))
            if name == "s3":
                missing = _load_s3_objects(service, root / name)
                if missing:
                    report["failed"]["s3 objects"] = f"{len(missing)} without saved content, e.g. {missing[0]}"
            service.lifecycle_hook.on_after_state_load()
            if name == "events":
                _rebuild_event_services(service)
            report["loaded"].append(name)
        except Exception as e:  # load what can be loaded; the report names what could not
            LOG.exception("could not load the state of %s", name)
            report["failed"][name] = f"{type(e).__name__}: {e}"
    return report
