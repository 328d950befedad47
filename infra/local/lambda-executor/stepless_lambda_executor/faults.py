"""The one fault the Lambda service itself injects: a 5xx for a chosen step and attempt.

The fault drill (scripts/drill) sets ``STEPLESS_FAULTS`` on a real function through the Lambda API and
removes it afterwards; the handler side (runtime/steps/fault-injection.ts) reads the same variable for
the faults a function causes itself (a crash, a timeout). A ``service-error`` entry fails a matching
invocation here, before the function sees it, the way a Lambda service error would: LocalStack answers
the Invoke call with a 500 ``ServiceException``. Functions without the variable never reach the parser.
"""

from __future__ import annotations

import json

VARIABLE = "STEPLESS_FAULTS"


def service_error(function_environment: dict[str, str] | None, payload: str | None) -> str | None:
    """A message when this invocation should fail as a service error, else None."""
    raw = (function_environment or {}).get(VARIABLE)
    if not raw or not payload:
        return None
    try:
        faults = json.loads(raw)
        meta = json.loads(payload).get("meta") or {}
    except (ValueError, AttributeError):
        return None
    for fault in faults if isinstance(faults, list) else []:
        if not isinstance(fault, dict) or fault.get("kind") != "service-error":
            continue
        if fault.get("step") != meta.get("step") or meta.get("attempt") not in (fault.get("attempts") or [1]):
            continue
        if not str(meta.get("workflowId", "")).startswith(str(fault.get("workflowIdPrefix", ""))):
            continue
        return f"injected service error for step {meta.get('step')}, attempt {meta.get('attempt')} ({VARIABLE})"
    return None
