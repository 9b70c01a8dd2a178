"""Child processes of the harness: start, wait for a port, read RSS and CPU time from /proc,
wait until idle, stop.

Every child runs in its own session (process group), so stopping it also stops whatever it
spawned, and nothing outside the harness is ever signalled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

__all__ = ["Child", "RssSampler", "start_child", "tree_cpu_seconds", "tree_rss_bytes", "wait_for_port", "wait_until_idle"]

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    _log_file: IO[bytes] | None = field(repr=False, default=None)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, limit: int = 800) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text[-limit:].strip()

    def stop(self, grace_s: float = 5.0) -> None:
        if self.alive():
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=grace_s)
        if self._log_file is not None:
            self._log_file.close()


def start_child(
    name: str,
    command: Sequence[str],
    *,
    cwd: Path,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
) -> Child:
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("wb")
    merged = dict(os.environ)
    if env:
        merged.update(env)
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=merged,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Child(name=name, process=process, log_path=log_path, _log_file=log_file)


def wait_for_port(child: Child, port: int, timeout_s: float) -> str | None:
    """None once 127.0.0.1:port accepts connections; otherwise why it never did."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not child.alive():
            return f"exited with code {child.process.returncode}: {child.log_tail(400) or 'no output'}"
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return None
        time.sleep(0.1)
    return f"port {port} not open after {timeout_s:.0f} s: {child.log_tail(400) or 'no output'}"


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _tree_pids(root_pids: Sequence[int]) -> list[int]:
    children = _children_by_parent()
    found: list[int] = []
    stack = list(root_pids)
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def tree_cpu_seconds(root_pids: Sequence[int]) -> float:
    """User + system CPU time consumed so far by processes and their descendants (proc(5))."""
    total = 0
    for pid in _tree_pids(root_pids):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / _CLOCK_TICKS


def wait_until_idle(
    root_pids: Sequence[int], *, max_cores: float = 0.1, window_s: float = 0.3, timeout_s: float = 60.0
) -> float | None:
    """Wait until the processes use less than max_cores over a window; seconds waited, or None
    on timeout. After wrk stops, an overloaded gateway keeps working through the requests it
    had accepted: without this the backlog would be charged to the next run."""
    start = time.monotonic()
    before = tree_cpu_seconds(root_pids)
    while time.monotonic() - start < timeout_s:
        time.sleep(window_s)
        after = tree_cpu_seconds(root_pids)
        if after - before < max_cores * window_s:
            return time.monotonic() - start
        before = after
    return None


def tree_rss_bytes(root_pid: int) -> int:
    """Resident set size of a process and all its descendants (proc(5): statm field 2)."""
    total = 0
    for pid in _tree_pids([root_pid]):
        try:
            resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident_pages * _PAGE_SIZE
    return total


class RssSampler:
    """Samples a process tree's RSS in a background thread; `peak_bytes` after `stop()`."""

    def __init__(self, root_pid: int, interval_s: float = 0.2) -> None:
        self._root_pid = root_pid
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{root_pid}", daemon=True)
        self.peak_bytes = 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self._root_pid))
            self._stop.wait(self._interval_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self._root_pid))
