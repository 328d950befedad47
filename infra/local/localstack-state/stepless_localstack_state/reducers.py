"""Pickle reducers for state classes that the default reduction cannot rebuild.

LocalStack Pro ships its own set; the community runtime has the registry
(``localstack.state.pickle.register``) but none for these.
"""

import threading
from typing import Any

from moto.ssm.models import ParameterDict

from localstack.state import pickle


def _new_parameter_dict(account_id: str, region_name: str) -> ParameterDict:
    return ParameterDict(account_id, region_name)


# A defaultdict subclass reduces to cls(default_factory), but its __init__ takes (account_id, region_name).
@pickle.register(ParameterDict)
def _reduce_parameter_dict(pickler: Any, obj: ParameterDict) -> None:
    pickler.save_reduce(
        _new_parameter_dict, (obj.account_id, obj.region_name), state=dict(obj.__dict__), dictitems=iter(dict(obj).items()), obj=obj
    )


def _new_rlock() -> Any:
    return threading.RLock()


def _new_lock() -> Any:
    return threading.Lock()


# dill restores an unheld RLock as *held* (it passes owner=0, count=0 to _acquire_restore, which
# acquires the underlying lock), so every store lock would deadlock after a load; and a lock held at
# save time belongs to a thread of the old process anyway. Locks therefore come back new and free.
@pickle.register(type(threading.RLock()))
def _reduce_rlock(pickler: Any, obj: Any) -> None:
    pickler.save_reduce(_new_rlock, (), obj=obj)


@pickle.register(type(threading.Lock()))
def _reduce_lock(pickler: Any, obj: Any) -> None:
    pickler.save_reduce(_new_lock, (), obj=obj)
