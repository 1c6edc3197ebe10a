"""`cables serve ssh` under load: N concurrent SSH readers on 127.0.0.1, against issue 14's targets.

Starts a real server (its own data dir, one key per reader), connects asyncssh clients with a
PTY each; one reader browses alone first (the peer figure, on the machine as it is), then all of
them at once open cables by typed queries (at a typing pace) and page through them. Reports
memory per session (RSS, PSS and private pages of each session's processes, after loading and
after browsing, and the machine's used memory with one session and with all of them, so shared
pages count once), keystroke-to-screen p50/p95 over all sessions together and by kind of key (a
typed character: until output holding it comes back; any other key: until the first output),
failures, and the load average (the machine may be shared). Bounded in sessions, rounds and
time; exits 1 on FAIL. Last line: one JSON object.

    python benchmarks/serve.py [--library PATH] [--sessions 20] [--rounds 3] [--time-limit 900]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncssh
import libraries  # (this folder, before it leaves the path below)

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))


TARGETS = {"keystroke_p95_ms": 150.0, "mb_per_session_beyond_first": 80.0}
SIZE = (120, 40)
KEY_INTERVAL = 0.12  # seconds between a key's answer and the next key (fast typing)
QUERIES = ["09berlin1167", "iran nuclear", "minister", "embassy baghdad", "10state", "08moscow"]
CTRL_B, CTRL_F, ENTER, PAGE_DOWN, QUIT = b"\x02", b"\x06", b"\r", b"\x1b[6~", b"q"
IDLE_WINDOW = 5.0  # seconds with every session connected and idle, its CPU measured
SESSION_CPU = ("main_thread", "other_threads", "child_processes")
LOADED = re.compile(rb"(\d[\d,]*) of \1")  # the sidebar's "N of N": the index is in


def used_mb() -> float:
    """The machine's used memory (MemTotal - MemAvailable)."""
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    kb = int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])
    return kb / 1024


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            todo += children(current)
    return found


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line.split()[1] for line in status if line.startswith("VmRSS:")))


def memory_kb(pid: int) -> tuple[int, int, int]:
    """RSS, PSS and USS (its private pages: what it alone costs) of a process and its own."""
    rss = pss = uss = 0
    for each in descendants(pid):
        try:
            text = Path(f"/proc/{each}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                uss += int(line.split()[1])
    return rss, pss, uss


def cpu_seconds(pid: int, task: int | None = None) -> float:
    """User + system CPU time of one process (or one of its threads) so far; 0 once gone."""
    path = f"/proc/{pid}/task/{task}/stat" if task is not None else f"/proc/{pid}/stat"
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_thread(pid: int) -> dict[str, float]:
    """A session's CPU seconds: its main thread (the event loop: Textual, the sidebar), its
    other threads together (the search thread, Textual's writer and input threads), its
    child processes."""
    main = cpu_seconds(pid, pid)
    others = sum(
        cpu_seconds(pid, int(task.name))
        for task in Path(f"/proc/{pid}/task").glob("*")
        if task.name != str(pid)
    )
    below = sum(cpu_seconds(child) for child in descendants(pid)[1:])
    return {"main_thread": main, "other_threads": others, "child_processes": below}


def started(pid: int) -> int:
    """When a process started (clock ticks since boot)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def fork_children(server_pid: int) -> tuple[list[int], list[int]]:
    """The fork server's children: its shared search process (the first it forked, before any
    session) and the sessions."""
    found = [pid for fork in children(server_pid) for pid in children(fork)]
    found.sort(key=started)
    return found[:1], found[1:]


def cpu_snapshot(server_pid: int) -> dict[str, float]:
    """CPU seconds so far: the SSH server (it relays every byte), the fork server, the shared
    search process, and the sessions by thread (summed over all of them)."""
    forks = children(server_pid)
    search, sessions = fork_children(server_pid)
    snapshot = {
        "ssh_server": cpu_seconds(server_pid),
        "fork_server": sum(cpu_seconds(fork) for fork in forks),
        "shared_search": sum(cpu_seconds(pid) for pid in search),
        "main_thread": 0.0,
        "other_threads": 0.0,
        "child_processes": 0.0,
    }
    for pid in sessions:
        with contextlib.suppress(OSError):
            for name, seconds in cpu_by_thread(pid).items():
                snapshot[name] += seconds
    return snapshot


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: round(after[name] - before[name], 2) for name in before}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Terminal(asyncssh.SSHClientSession[bytes]):
    """What the server sends, with the time of each chunk; the session's end."""

    def __init__(self) -> None:
        self.output = bytearray()
        self.arrived = asyncio.Event()
        self.closed = False

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self.output += data
        self.arrived.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.arrived.set()

    async def wait(self, test, since: int, timeout: float) -> float:
        """Seconds until `test(output[since:])` holds; TimeoutError after `timeout`."""
        start = time.perf_counter()
        deadline = start + timeout
        while not test(bytes(self.output[since:])):
            if self.closed:
                raise ConnectionError("the session ended")
            self.arrived.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except TimeoutError:
                raise TimeoutError from None
        return time.perf_counter() - start


class Reader:
    """One SSH reader driving their browser."""

    def __init__(self, number: int, key: asyncssh.SSHKey, port: int) -> None:
        self.number = number
        self.ssh_key = key
        self.port = port
        self.latencies: list[tuple[str, float]] = []  # (kind of key, seconds)
        self.sizes: list[tuple[str, int]] = []  # (kind of key, bytes on screen until quiet)
        self.conn: asyncssh.SSHClientConnection | None = None
        self.chan: asyncssh.SSHClientChannel[bytes] | None = None
        self.term: Terminal | None = None
        self.failure: str | None = None
        self.ends = 0  # page-downs unanswered: the end of a cable was reached

    async def connect(self, load_timeout: float) -> float:
        """Connect and wait for the index to load; seconds it took."""
        start = time.perf_counter()
        self.conn = await asyncssh.connect(
            "127.0.0.1",
            self.port,
            username="bench",
            client_keys=[self.ssh_key],
            known_hosts=None,
            agent_path=None,
        )
        self.chan, self.term = await self.conn.create_session(
            Terminal, term_type="xterm-256color", term_size=SIZE, encoding=None
        )
        try:
            await self.term.wait(lambda out: LOADED.search(out) is not None, 0, load_timeout)
        except TimeoutError:
            raise TimeoutError(f"the index was not in after {load_timeout:.0f} s") from None
        return time.perf_counter() - start

    async def key(
        self, kind: str, data: bytes, expect: bytes | None = None, timeout: float = 10
    ) -> None:
        """Send one key; its latency is until output (holding `expect`, if given) arrives."""
        assert self.chan is not None and self.term is not None
        await self.quiet()
        await asyncio.sleep(KEY_INTERVAL)  # a person's typing pace, not a key-repeat flood
        mark = len(self.term.output)
        self.chan.write(data)
        try:
            if expect is None:
                took = await self.term.wait(lambda out: bool(out), mark, timeout)
            else:
                took = await self.term.wait(lambda out: expect in out, mark, timeout)
        except TimeoutError:
            raise TimeoutError(f"no answer to the key {data!r} in {timeout:.0f} s") from None
        self.latencies.append((kind, took))
        await self.quiet()
        self.sizes.append((kind, len(self.term.output) - mark))

    async def quiet(self, gap: float = 0.05, limit: float = 1.0) -> None:
        """Let the previous key's frames finish, so each measure starts clean."""
        assert self.term is not None
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            size = len(self.term.output)
            await asyncio.sleep(gap)
            if len(self.term.output) == size:
                return

    async def browse(self, rounds: int) -> None:
        """Type a query, open the first match, page through it; `rounds` times."""
        for i in range(rounds):
            query = QUERIES[(self.number + i) % len(QUERIES)]
            await self.key("focus search", CTRL_F)
            await asyncio.sleep(0.3)  # the focus lands in the search box first
            for typed, char in enumerate(query, 1):  # a space may be drawn as a cursor move:
                expect = None if char == " " else char.encode()  # any output answers it
                # 1-2 letters: the engine's slowest queries (they scan every cable)
                kind = "type in search" if typed > 2 else "type in search, 1-2 letters"
                await self.key(kind, char.encode(), expect=expect)
            await asyncio.sleep(0.5)  # the sidebar's search settles
            await self.key("open cable", ENTER)
            await asyncio.sleep(0.3)
            for _ in range(2):  # the sidebar hidden and shown: the whole screen laid out again
                await self.key("toggle sidebar", CTRL_B)
            for _ in range(8):
                try:
                    await self.key("page down", PAGE_DOWN, timeout=2)
                except TimeoutError:  # nothing moves at the end of a cable
                    self.ends += 1
                    break

    async def close(self) -> None:
        if self.chan is not None and not (self.term and self.term.closed):
            self.chan.write(QUIT)
            await asyncio.sleep(0.5)
        if self.conn is not None:
            self.conn.close()
            await self.conn.wait_closed()


async def run(args: argparse.Namespace, scratch: Path) -> dict:
    keys = [asyncssh.generate_private_key("ssh-ed25519") for _ in range(args.sessions)]
    authorized = scratch / "authorized_keys"
    authorized.write_text(
        "".join(
            k.export_public_key().decode().strip() + f" reader{i}\n" for i, k in enumerate(keys)
        )
    )
    env = dict(os.environ, XDG_DATA_HOME=str(scratch / "data"), XDG_CONFIG_HOME=str(scratch))
    env.pop("CABLES_LIBRARY", None)
    library = libraries.for_run(args.library, "serve") if args.library else libraries.synthetic()
    load_before = os.getloadavg()
    used_before = used_mb()
    command = [sys.executable, "-m", "cables", "--library", str(library), "serve", "ssh"]
    options = ["--port", "0", "--authorized-keys", str(authorized), "--rate-limit", "1000"]
    options += ["--max-sessions", str(args.sessions)]
    server = subprocess.Popen(
        [*command, *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=(scratch / "serve.log.stderr").open("wb"),
        text=True,
    )
    try:
        assert server.stdout is not None
        port = 0
        for line in server.stdout:
            if "listening on" in line:
                port = int(line.rsplit(":", 1)[1])
                break
        if not port:
            raise SystemExit("benchmarks/serve.py: the server did not start")
        readers = [Reader(i, key, port) for i, key in enumerate(keys)]
        result = await drive(args, server.pid, readers, used_before)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    load_after = os.getloadavg()
    result["load_average_before"] = [round(x, 2) for x in load_before]
    result["load_average_after"] = [round(x, 2) for x in load_after]
    result["library"] = str(args.library)
    return result


async def drive(args, server_pid: int, readers: list[Reader], used_before: float) -> dict:
    failures: list[str] = []

    async def guarded(reader: Reader, step) -> float | None:
        try:
            return await step
        except (OSError, asyncssh.Error, TimeoutError, ConnectionError) as exc:
            reader.failure = f"reader{reader.number}: {type(exc).__name__}: {exc}"
            failures.append(reader.failure)
            return None

    first = readers[0]
    first_load = await guarded(first, first.connect(args.load_timeout))
    used_one = used_mb()
    # The peer in the same run: one reader alone on the machine as it is (shared, maybe busy).
    await guarded(first, first.browse(1))
    solo = [t * 1000 for _, t in first.latencies]
    first.latencies.clear()
    loads = [first_load]
    others = []
    for reader in readers[1:]:
        others.append(asyncio.create_task(guarded(reader, reader.connect(args.load_timeout))))
        await asyncio.sleep(0.2)
    loads += await asyncio.gather(*others)
    used_all = used_mb()
    server_rss = rss_kb(server_pid)
    # The server's one child is the fork server; every session is one of its children.
    forks = children(server_pid)
    search, session_pids = fork_children(server_pid)
    sessions = [memory_kb(pid) for pid in session_pids]
    fork_rss = sum(rss_kb(fork) for fork in forks)
    # Twenty browsers waiting for a key: what they cost doing nothing.
    idle_before = cpu_snapshot(server_pid)
    await asyncio.sleep(IDLE_WINDOW)
    idle = cpu_delta(idle_before, cpu_snapshot(server_pid))
    live = [r for r in readers if r.failure is None]
    browse_before = cpu_snapshot(server_pid)
    browse_started = time.perf_counter()
    await asyncio.gather(*(guarded(r, r.browse(args.rounds)) for r in live))
    browse_wall = time.perf_counter() - browse_started
    browse_cpu = cpu_delta(browse_before, cpu_snapshot(server_pid))
    latencies = [t * 1000 for r in readers for _, t in r.latencies]
    by_kind: dict[str, list[float]] = {}
    for reader in readers:
        for kind, took in reader.latencies:
            by_kind.setdefault(kind, []).append(took * 1000)
    used_browsed = used_mb()
    browsed = [memory_kb(pid) for pid in session_pids]
    search_memory = [memory_kb(pid) for pid in search]
    sizes: dict[str, list[int]] = {}
    for reader in readers:
        for kind, size in reader.sizes:
            sizes.setdefault(kind, []).append(size)
    browsing_keys = sum(len(r.sizes) for r in live)
    await asyncio.gather(*(r.close() for r in readers), return_exceptions=True)
    n = len(readers)
    loaded = [t for t in loads if t is not None]
    result = {
        "sessions": n,
        "failed": failures,
        "keystrokes": len(latencies),
        "cable_ends_reached": sum(r.ends for r in readers),
        "keystroke_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "keystroke_p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "solo_p50_ms": round(statistics.median(solo), 1) if solo else None,
        "solo_p95_ms": round(percentile(solo, 0.95), 1) if solo else None,
        "by_key": {
            kind: {
                "n": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
                "bytes_median": statistics.median(sizes[kind]) if sizes.get(kind) else None,
            }
            for kind, values in by_kind.items()
        },
        "index_loaded_s_median": round(statistics.median(loaded), 1) if loaded else None,
        "index_loaded_s_max": round(max(loaded), 1) if loaded else None,
        "session_rss_mb_mean": round(statistics.mean(s[0] for s in sessions) / 1024, 1)
        if sessions
        else None,
        "session_pss_mb_mean": round(statistics.mean(s[1] for s in sessions) / 1024, 1)
        if sessions
        else None,
        "server_rss_mb": round(server_rss / 1024, 1),
        # CPU seconds while all of them browse, by process and thread, and per keystroke
        "browse_wall_s": round(browse_wall, 1),
        "browse_cpu_s": browse_cpu,
        "cpu_ms_per_key": {
            name: round(seconds * 1000 / max(browsing_keys, 1), 2)
            for name, seconds in browse_cpu.items()
        },
        # CPU seconds over IDLE_WINDOW with every session connected and no key pressed
        "idle_cpu_s": idle,
        "idle_cpu_percent_per_session": round(
            100 * sum(idle[k] for k in SESSION_CPU) / IDLE_WINDOW / max(len(browsed), 1), 2
        ),
        "fork_server_rss_mb": round(fork_rss / 1024, 1),
        # one for all sessions: what it copied of the engine is paid once, not per session
        "shared_search_private_mb": round(sum(m[2] for m in search_memory) / 1024, 1),
        "machine_used_mb": {
            "before": round(used_before),
            "one_session": round(used_one),
            "all_sessions": round(used_all),
            "after_browsing": round(used_browsed),
        },
        # RSS grows by what a session allocates; private pages also by shared pages it wrote to
        "session_rss_mb_mean_after_browsing": round(
            statistics.mean(b[0] for b in browsed) / 1024, 1
        )
        if browsed
        else None,
        "session_pss_mb_mean_after_browsing": round(
            statistics.mean(b[1] for b in browsed) / 1024, 1
        )
        if browsed
        else None,
        # What each further session costs: its private pages once every session has searched
        # and paged (the copy-on-write pages it wrote to are its own by then).
        "mb_per_session_beyond_first": round(statistics.mean(b[2] for b in browsed) / 1024, 1)
        if browsed
        else 0.0,
        "session_uss_mb_mean_loaded": round(statistics.mean(s[2] for s in sessions) / 1024, 1)
        if sessions
        else None,
        # the same from the machine's used memory (noisy where others use the machine too)
        "machine_mb_per_session_beyond_first": round((used_browsed - used_one) / max(n - 1, 1), 1),
    }
    return result


def verdict(result: dict) -> list[str]:
    problems = [f"failed: {f}" for f in result["failed"]]
    p95 = result["keystroke_p95_ms"]
    if p95 is None or p95 > TARGETS["keystroke_p95_ms"]:
        problems.append(f"keystroke p95 {p95} ms > {TARGETS['keystroke_p95_ms']:.0f} ms")
    per = result["mb_per_session_beyond_first"]
    if per > TARGETS["mb_per_session_beyond_first"]:
        problems.append(
            f"{per} MB per session beyond the first > {TARGETS['mb_per_session_beyond_first']:.0f}"
        )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--library",
        type=Path,
        help="default: the synthetic 251,287, built once under benchmarks/out",
    )
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="queries per session (3)")
    parser.add_argument("--load-timeout", type=float, default=300, help="per session (300 s)")
    parser.add_argument("--time-limit", type=float, default=900, help="the whole run (900 s)")
    args = parser.parse_args()
    if not args.library.exists():
        raise SystemExit(f"benchmarks/serve.py: {args.library}: no library")
    scratch = Path(tempfile.mkdtemp(prefix="cables-serve-bench-"))
    try:
        result = asyncio.run(asyncio.wait_for(run(args, scratch), args.time_limit))
    except TimeoutError:
        print(f"FAIL: the run took more than {args.time_limit:.0f} s")
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    problems = verdict(result)
    print(f"sessions {result['sessions']}, keystrokes {result['keystrokes']}")
    print(
        f"keystroke to screen: p50 {result['keystroke_p50_ms']} ms,"
        f" p95 {result['keystroke_p95_ms']} ms (target < {TARGETS['keystroke_p95_ms']:.0f});"
        f" one reader alone first: p50 {result['solo_p50_ms']} ms, p95 {result['solo_p95_ms']} ms"
    )
    print(
        f"memory per session: RSS {result['session_rss_mb_mean']} MB, PSS"
        f" {result['session_pss_mb_mean']} MB, private {result['session_uss_mb_mean_loaded']} MB"
        f" once loaded (fork server {result['fork_server_rss_mb']} MB, its shared search"
        f" process {result['shared_search_private_mb']} MB private after browsing, server"
        f" {result['server_rss_mb']} MB); after browsing: private"
        f" {result['mb_per_session_beyond_first']} MB per session beyond the first"
        f" (target < {TARGETS['mb_per_session_beyond_first']:.0f}), PSS"
        f" {result['session_pss_mb_mean_after_browsing']} MB, RSS"
        f" {result['session_rss_mb_mean_after_browsing']} MB; machine used"
        f" {result['machine_used_mb']} MB, {result['machine_mb_per_session_beyond_first']} MB"
        " per further session"
    )
    print(
        f"CPU while browsing ({result['browse_wall_s']} s wall): {result['browse_cpu_s']} s;"
        f" per keystroke: {result['cpu_ms_per_key']} ms; idle, {IDLE_WINDOW:.0f} s with every"
        f" session connected: {result['idle_cpu_s']} s"
        f" ({result['idle_cpu_percent_per_session']}% of a core per session)"
    )
    for kind, figures in result["by_key"].items():
        print(f"  {kind}: {figures}")
    print(
        f"index in: median {result['index_loaded_s_median']} s, max"
        f" {result['index_loaded_s_max']} s; load average before {result['load_average_before']},"
        f" after {result['load_average_after']} ({os.cpu_count()} cores)"
    )
    print("PASS" if not problems else "FAIL: " + "; ".join(problems))
    result["verdict"] = "PASS" if not problems else "FAIL"
    print(json.dumps(result))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
