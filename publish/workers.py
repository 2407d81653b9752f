"""Local worker processes whose whole lifetime the build controls.

Each worker is a forked process with one pipe to the parent. Workers ignore Ctrl-C (the
parent decides what an interrupt means) and are killed by the kernel if the parent dies
(PR_SET_PDEATHSIG on Linux). There is no thread and no shared queue, so stopping is only
killing: nothing can be left waiting on an idle worker.
"""

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection, wait

PR_SET_PDEATHSIG = 1  # linux/prctl.h
PR_SET_CHILD_SUBREAPER = 36
STOP_WAIT = 1.0  # seconds to wait for a killed or dismissed worker to be gone


class WorkerError(Exception):
    """A call that did not return: its worker died, or it raised past the job's own guard."""


class Worker:
    """One forked process serving calls sent down its pipe."""

    def __init__(self, initializer: Callable[[], None]) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(
            target=serve, args=(child_end, os.getpid(), initializer), daemon=True
        )
        with interrupts_blocked():  # the child starts with the parent's handler otherwise
            self.process.start()
        child_end.close()

    def kill(self) -> None:
        if self.process.pid is not None and self.process.exitcode is None:
            self.process.kill()

    def dismiss(self) -> None:
        """Ask an idle worker to exit; kill it if it does not."""
        with suppress(OSError):
            self.connection.send(None)
        self.process.join(STOP_WAIT)
        self.kill()


class WorkerPool:
    """A fixed number of worker processes; a worker that dies is replaced."""

    def __init__(self, size: int, initializer: Callable[[], None]) -> None:
        self.initializer = initializer
        self.workers: list[Worker] = []
        adopt_orphans()
        try:
            for _ in range(size):
                self.workers.append(Worker(initializer))
        except BaseException:
            self.stop()
            raise

    def run(
        self, function: Callable[..., object], arguments: list[tuple]
    ) -> Iterator[tuple[int, object]]:
        """Call function(*args) for each tuple; yield (index, result) as each call ends.

        The result of a call whose worker died is a WorkerError.
        """
        waiting = list(enumerate(arguments))[::-1]
        idle = list(self.workers)
        busy: dict[Worker, int] = {}
        while waiting or busy:
            while idle and waiting:
                worker, (index, args) = idle.pop(), waiting.pop()
                try:
                    worker.connection.send((function, args))
                except OSError:  # died while idle: replace it, try the call again
                    waiting.append((index, args))
                    idle.append(self.replace(worker))
                    continue
                busy[worker] = index
            handles = [w.connection for w in busy] + [w.process.sentinel for w in busy]
            ready = set(wait(handles))
            for worker in [w for w in busy if {w.connection, w.process.sentinel} & ready]:
                index = busy.pop(worker)
                try:
                    result = worker.connection.recv()
                except (EOFError, OSError):
                    worker.process.join(STOP_WAIT)
                    result = WorkerError(f"worker died (exit status {worker.process.exitcode})")
                if not worker.process.is_alive():
                    worker = self.replace(worker)
                idle.append(worker)
                yield index, result

    def replace(self, worker: Worker) -> Worker:
        worker.kill()
        worker.process.join(STOP_WAIT)
        fresh = Worker(self.initializer)
        self.workers[self.workers.index(worker)] = fresh
        return fresh

    def stop(self) -> None:
        """Kill every worker at once and wait until they are gone (Ctrl-C)."""
        for worker in self.workers:
            worker.kill()
        for worker in self.workers:
            if worker.process.pid is not None:
                worker.process.join(STOP_WAIT)

    def close(self) -> None:
        """Dismiss the idle workers at the end of a build."""
        for worker in self.workers:
            worker.dismiss()


def serve(connection: Connection, parent: int, initializer: Callable[[], None]) -> None:
    """A worker's life: ignore Ctrl-C, die with the parent, answer calls until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    die_with_parent(parent)
    initializer()
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, args = message
        try:
            result = function(*args)
        except BaseException as error:  # noqa: BLE001 - reported to the parent as the result
            result = WorkerError(f"{type(error).__name__}: {error}")
        connection.send(result)


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies, then check it is still alive."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def adopt_orphans() -> None:
    """Become the parent of any process orphaned below this one, so that none escapes.

    A library may run a helper (ctypes.util.find_library runs ldconfig and gcc); when its
    worker is killed, the helper would otherwise live on as a child of init.
    """
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def prctl(option: int, value: int) -> None:
    """Linux's prctl(2); nothing elsewhere."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(option, value)


def kill_descendants() -> None:
    """Kill every process this one started, and theirs, and wait until they are gone."""
    killed: set[int] = set()
    for _ in range(2):  # again, for any forked or adopted meanwhile
        for pid in descendants(os.getpid()):
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            killed.add(pid)
    deadline = time.monotonic() + STOP_WAIT
    while any(process_state(pid) not in ("Z", "X", None) for pid in killed):
        if time.monotonic() > deadline:
            return
        time.sleep(0.005)


def descendants(root: int) -> list[int]:
    """The processes below `root`, from /proc (none where there is no /proc)."""
    children: dict[int, list[int]] = {}
    with suppress(OSError), os.scandir("/proc") as entries:
        for entry in entries:
            if entry.name.isdigit() and (parent := parent_of(int(entry.name))) is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, below = [], [root]
    while below:
        for child in children.get(below.pop(), []):
            found.append(child)
            below.append(child)
    return found


def proc_stat(pid: int) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name: state, parent, ..."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            return file.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None


def parent_of(pid: int) -> int | None:
    fields = proc_stat(pid)
    return int(fields[1]) if fields else None


def process_state(pid: int) -> str | None:
    fields = proc_stat(pid)
    return fields[0].decode() if fields else None


@contextmanager
def interrupts_blocked() -> Iterator[None]:
    """Hold back Ctrl-C while forking, so that a new worker never runs the parent's handler."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
