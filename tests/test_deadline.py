"""The time limit outside the main thread, where a Dask worker runs its tasks."""

import threading
import time
from collections.abc import Callable

import pytest

from publish.build import time_limit


def in_thread(function: Callable[[], object]) -> object:
    """Run `function` in a new thread; return what it returned or raised."""
    result: list[object] = []

    def target() -> None:
        try:
            result.append(function())
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            result.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result[0]


def test_a_long_job_in_a_thread_gets_timeout_error() -> None:
    def spin() -> str:
        with time_limit(0.1):
            while True:
                sum(range(100))

    assert isinstance(in_thread(spin), TimeoutError)


def test_the_limit_insists_when_its_exception_is_swallowed() -> None:
    """As with the alarm: a raise lost in a finalizer or gc callback comes again."""

    def spin() -> int:
        swallowed = 0
        with pytest.raises(TimeoutError), time_limit(0.1):
            while True:
                try:
                    time.sleep(0.01)
                except TimeoutError:
                    swallowed += 1
                    if swallowed > 1:
                        raise
        return swallowed

    assert in_thread(spin) == 2


def test_a_job_that_ends_in_time_is_never_interrupted_later() -> None:
    def quick() -> str:
        with time_limit(0.05):
            pass
        time.sleep(0.3)  # past the deadline: nothing may be raised now
        return "done"

    assert in_thread(quick) == "done"
