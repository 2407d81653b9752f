"""A time limit for code running outside the main thread, where SIGALRM cannot reach.

A Dask worker runs each task in a thread of its own. When the time is up, a timer thread
raises TimeoutError in the task's thread with PyThreadState_SetAsyncExc: like the SIGALRM
handler it interrupts Python code between two bytecodes, so both limits stop the same work.
"""

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager

RETRY = 0.25  # seconds between repeated raises, as for the alarm in the main thread


@contextmanager
def thread_time_limit(seconds: float, retry: float = RETRY) -> Iterator[None]:
    """Raise TimeoutError in this thread after `seconds`, again every `retry` until the block ends.

    A raise swallowed by a finalizer or a garbage-collection callback is therefore repeated.
    """
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"active": True, "timer": None}

    def expire() -> None:
        with lock:
            if not state["active"]:
                return
            raise_in(target, TimeoutError)
            state["timer"] = start_timer(retry, expire)

    with lock:
        state["timer"] = start_timer(seconds, expire)
    try:
        yield
    finally:
        with lock:
            state["active"] = False
            state["timer"].cancel()
            raise_in(target, None)  # withdraw a raise not yet delivered


def start_timer(seconds: float, function: object) -> threading.Timer:
    timer = threading.Timer(seconds, function)
    timer.daemon = True
    timer.start()
    return timer


def raise_in(thread: int, exception: type[BaseException] | None) -> None:
    """Have `thread` raise `exception` at its next bytecode (None: cancel a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread), ctypes.py_object(exception) if exception else None
    )
