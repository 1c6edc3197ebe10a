"""`cables serve ssh` end to end: the real OpenSSH client, in tmux, against 127.0.0.1.

Each test starts its own server on a free port (its data dir is the test's own) and stops it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from serve_support import Server, Tmux, free_port, keygen, ssh_command

from cables.serve.keys import fingerprint_name, reader_name

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not (shutil.which("tmux") and shutil.which("ssh") and shutil.which("ssh-keygen")),
        reason="tmux and the OpenSSH client are needed",
    ),
]


@pytest.fixture
def site(tmp_path, fixtures_library, isolated_dirs):
    """A copy of the fixtures library, keys for alice, bob (named robert) and eve (unknown)."""
    library = tmp_path / "library.sqlite3"
    shutil.copy(fixtures_library, library)
    keys = {name: keygen(tmp_path, name) for name in ("alice", "bob", "eve")}
    authorized = tmp_path / "authorized_keys"
    authorized.write_text(
        keys["alice"].with_suffix(".pub").read_text()
        + 'environment="CABLES_USER=robert" '
        + keys["bob"].with_suffix(".pub").read_text()
    )
    data = isolated_dirs / ".local" / "share" / "cables"
    return {"library": library, "keys": keys, "authorized": authorized, "data": data}


@pytest.fixture
def serve(tmp_path, site):
    """Start `cables serve ssh` with extra options; every server is stopped at the end."""
    servers: list[Server] = []

    def start(*options: str) -> Server:
        args = ["--port", "0", "--authorized-keys", str(site["authorized"]), *options]
        server = Server(site["library"], "ssh", *args, log=tmp_path / f"serve{len(servers)}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def tmux():
    server = Tmux()
    yield server
    server.kill()


def connect(tmux, name, server, key, tmp_path, *, width=100, height=30, **env):
    send = ["-o", "SendEnv=COLORTERM NO_COLOR LANG"]
    command = ssh_command(key, server.port, tmp_path / "known_hosts", "-tt", *send)
    line = " ".join(map(shlex.quote, [*command, "127.0.0.1"]))
    tmux.start(name, line, width, height, **env)


def open_cable(tmux, name, ref):
    tmux.wait_for(name, "63 of 63")  # the sidebar's count: the index is in
    tmux.keys(name, "C-f")
    time.sleep(0.5)  # the focus lands before the query is typed
    tmux.keys(name, ref.lower(), literal=True)
    tmux.wait_until(lambda: "63 of 63" not in tmux.screen(name), "the sidebar to filter")
    tmux.keys(name, "Enter")
    tmux.wait_for(name, f"{ref} │")  # the footer of the open cable


def test_reader_browses_copies_resizes_and_keeps_own_bookmarks(tmp_path, site, serve, tmux):
    before = hashlib.sha256(site["library"].read_bytes()).hexdigest()
    server = serve()
    connect(tmux, "alice", server, site["keys"]["alice"], tmp_path, COLORTERM="truecolor")
    open_cable(tmux, "alice", "09MEXICO1055")
    tmux.keys("alice", ":")
    time.sleep(0.3)
    tmux.keys("alice", "3", "Enter")
    tmux.wait_for("alice", "3. (")
    tmux.keys("alice", "y")
    tmux.wait_until(lambda: tmux.buffer().endswith("#par3"), "the link in tmux's buffer")
    assert tmux.buffer() == "https://wikileaks.org/cable/2009/04/09MEXICO1055.html#par3"
    # The client's COLORTERM reached the browser: 24-bit colours, not all of them greys.
    colours = re.findall(
        r"[34]8;2;(\d+);(\d+);(\d+)", tmux("capture-pane", "-p", "-e", "-t", "alice")
    )
    assert any(not r == g == b for r, g, b in colours)

    footer_at = footer_row(tmux.screen("alice"))
    tmux("resize-window", "-t", "alice", "-x", "130", "-y", "40")
    tmux.wait_until(lambda: footer_row(tmux.screen("alice")) > footer_at + 5, "a re-layout")
    assert max(len(line) for line in tmux.screen("alice").splitlines()) > 100

    tmux.keys("alice", "b")  # bookmark ¶3
    alice_state = site["data"] / "readers" / "alice" / "state.toml"
    tmux.wait_until(lambda: alice_state.exists() and "par3" in alice_state.read_text(), "save")

    connect(tmux, "bob", server, site["keys"]["bob"], tmp_path)
    tmux.wait_for("bob", "63 of 63")
    tmux.keys("bob", "Escape")  # out of the search box, where the browser starts
    time.sleep(0.3)  # sent at once, ESC and B would read as alt+b
    tmux.keys("bob", "B")
    tmux.wait_for("bob", "No bookmarks yet")
    robert_state = site["data"] / "readers" / "robert" / "state.toml"
    assert "09MEXICO1055" not in (robert_state.read_text() if robert_state.exists() else "")

    tmux.keys("alice", "C-q")
    tmux.wait_until(lambda: ssh_ended(tmux, "alice"), "ssh to end")
    log_file = tmp_path / "serve0.log"
    tmux.wait_until(lambda: "disconnect address=" in log_file.read_text(), "the disconnect line")
    log = log_file.read_text()
    assert "connect address=127.0.0.1:" in log and "reader=alice" in log
    assert "reader=robert" in log
    assert hashlib.sha256(site["library"].read_bytes()).hexdigest() == before


def footer_row(screen: str) -> int:
    rows = [i for i, line in enumerate(screen.splitlines()) if "09MEXICO1055 │" in line]
    return max(rows, default=-1)


def test_unknown_key_command_and_sftp_are_refused(tmp_path, site, serve):
    server = serve()
    ssh = ssh_command(site["keys"]["eve"], server.port, tmp_path / "known_hosts")
    eve = subprocess.run([*ssh, "127.0.0.1"], capture_output=True, text=True, timeout=30)
    assert eve.returncode == 255 and "Permission denied (publickey)" in eve.stderr

    ssh = ssh_command(site["keys"]["alice"], server.port, tmp_path / "known_hosts")
    ls = subprocess.run([*ssh, "127.0.0.1", "ls"], capture_output=True, text=True, timeout=30)
    assert ls.returncode == 1
    assert ls.stdout == ""
    assert (
        ls.stderr.strip()
        == "cables: this server runs the cables browser only; connect with `ssh -t HOST`"
    )
    no_pty = subprocess.run(
        [*ssh, "-T", "127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert no_pty.returncode == 1 and "ssh -t HOST" in no_pty.stderr

    sftp = [
        "sftp", "-b", "-", "-P", str(server.port), "-i", str(site["keys"]["alice"]),
        "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
        "-o", f"UserKnownHostsFile={tmp_path / 'known_hosts'}", "-F", "/dev/null",
        "127.0.0.1",
    ]  # fmt: skip
    refused = subprocess.run(sftp, input="ls\n", capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0 and "subsystem request failed" in refused.stderr

    remote = subprocess.run(
        [*ssh, "-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9", "127.0.0.1"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert remote.returncode == 255 and "forwarding failed" in remote.stderr
    assert local_forward_refused(site["keys"]["alice"], server.port, tmp_path / "known_hosts")

    server.stop()
    log = (tmp_path / "serve0.log").read_text()
    eve_print = fingerprint_of(site["keys"]["eve"])
    assert "auth-failure address=127.0.0.1:" in log and f"key={eve_print}" in log
    assert "(session with a command)" in log and "(subsystem 'sftp')" in log
    assert "(remote port forwarding)" in log and "(port forwarding)" in log


def local_forward_refused(key: Path, server_port: int, known_hosts: Path) -> bool:
    """`ssh -L` listens on this side; a connection through it is refused by the server."""
    ssh = ssh_command(key, server_port, known_hosts, log_level="INFO")
    port = free_port()
    forward = subprocess.Popen(
        [*ssh, "-N", "-L", f"{port}:127.0.0.1:{server_port}", "127.0.0.1"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                probe = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "ssh -L did not listen"
                time.sleep(0.1)
        with probe:
            # Through the tunnel this would be the server's SSH banner; refused, it is nothing.
            answer = probe.recv(100)
    finally:
        forward.terminate()
        try:
            _, stderr = forward.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # a loaded machine: the client may be slow to go
            forward.kill()
            _, stderr = forward.communicate()
    return answer == b"" and "administratively prohibited" in stderr


def fingerprint_of(key: Path) -> str:
    out = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", str(key.with_suffix(".pub"))],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return out.split()[1]


def test_one_over_the_limit_is_told_the_server_is_full(tmp_path, site, serve, tmux):
    server = serve("--max-sessions", "1")
    connect(tmux, "alice", server, site["keys"]["alice"], tmp_path)
    tmux.wait_for("alice", "63 of 63")
    ssh = ssh_command(site["keys"]["bob"], server.port, tmp_path / "known_hosts", "-tt")
    full = subprocess.run(
        [*ssh, "127.0.0.1"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )
    assert full.returncode == 1
    assert "the server is full (1 readers)" in full.stdout


def test_sigterm_ends_sessions_telling_readers(tmp_path, site, serve, tmux):
    server = serve()
    connect(tmux, "alice", server, site["keys"]["alice"], tmp_path)
    tmux.wait_for("alice", "63 of 63")
    assert server.stop() == 0
    screen = tmux.wait_for("alice", "the server is shutting down")
    assert "63 of 63" not in screen  # the browser's screen was left, the terminal restored


def test_idle_session_is_ended(tmp_path, site, serve, tmux):
    server = serve("--idle-timeout", "2")
    connect(tmux, "alice", server, site["keys"]["alice"], tmp_path)
    tmux.wait_for("alice", "closed after", timeout=40)


def test_host_key_made_once_private_and_its_fingerprint_printed(tmp_path, site, serve):
    first = serve()
    key = site["data"] / "ssh_host_ed25519_key"
    assert key.stat().st_mode & 0o777 == 0o600
    printed = first.wait_for_line("host key")
    assert fingerprint_of(key) in printed
    first.stop()
    second = serve()
    assert fingerprint_of(key) in second.wait_for_line("host key")


def test_rate_limit_refuses_a_burst_from_one_address(tmp_path, site, serve):
    server = serve("--rate-limit", "2")
    ssh = ssh_command(site["keys"]["alice"], server.port, tmp_path / "known_hosts")
    codes = [
        subprocess.run([*ssh, "127.0.0.1", "ls"], capture_output=True, timeout=30).returncode
        for _ in range(3)
    ]
    assert codes == [1, 1, 255]
    server.stop()
    assert "(too many connections from this address)" in (tmp_path / "serve0.log").read_text()


def test_reader_names():
    fp = "SHA256:ab/cd+ef"
    assert reader_name({"environment": {"CABLES_USER": "robert"}}, "bob", fp) == "robert"
    assert reader_name({}, "alice", fp) == "alice"
    assert (
        reader_name({"environment": {"CABLES_USER": "../x"}}, "bob@host", fp) == "SHA256-ab_cd-ef"
    )
    assert reader_name({}, "..", fp) == fingerprint_name(fp)
    assert reader_name({}, "x" * 33, fp) == fingerprint_name(fp)


def test_no_library_or_no_keys_is_one_line_and_status_2(tmp_path, site):
    cables = [sys.executable, "-m", "cables"]
    keys = ["--authorized-keys", str(site["authorized"])]
    missing = tmp_path / "none.sqlite3"
    run = subprocess.run(
        [*cables, "--library", str(missing), "serve", "ssh", *keys], capture_output=True, text=True
    )
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and str(missing) in run.stderr
    absent = tmp_path / "absent_keys"
    library = ["--library", str(site["library"])]
    run = subprocess.run(
        [*cables, "serve", "ssh", *library, "--authorized-keys", str(absent)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and run.stderr == (
        f"cables serve: {absent}: no authorized_keys yet: add each reader's public key there\n"
    )


def test_a_fork_server_that_dies_is_started_again(tmp_path, site, serve, tmux):
    server = serve()
    connect(tmux, "alice", server, site["keys"]["alice"], tmp_path)
    tmux.wait_for("alice", "63 of 63")
    [fork] = [pid for pid in children(server.process.pid) if b"tui.serve_fork" in cmdline(pid)]
    os.kill(fork, signal.SIGKILL)
    tmux.keys("alice", "C-b")  # the running browser goes on: the sidebar hides
    tmux.wait_until(lambda: "63 of 63" not in tmux.screen("alice"), "alice's browser to answer")
    connect(tmux, "bob", server, site["keys"]["bob"], tmp_path)  # on a new fork server
    tmux.wait_for("bob", "63 of 63")
    tmux.keys("alice", "C-q")
    tmux.wait_until(lambda: ssh_ended(tmux, "alice"), "alice's ssh to end")
    assert "starting the fork server again" in (tmp_path / "serve0.log").read_text()


def test_a_search_process_that_dies_leaves_sessions_searching(tmp_path, site, serve, tmux):
    server = serve()
    connect(tmux, "alice", server, site["keys"]["alice"], tmp_path)
    tmux.wait_for("alice", "63 of 63")
    [fork] = [pid for pid in children(server.process.pid) if b"tui.serve_fork" in cmdline(pid)]
    # The fork server's first child, made before any session: the shared search process.
    search = min(children(fork), key=lambda pid: int(stat(pid)[19]))
    os.kill(search, signal.SIGKILL)
    tmux.wait_for("alice", "search process stopped")  # said where the count was
    connect(tmux, "bob", server, site["keys"]["bob"], tmp_path)
    open_cable(tmux, "bob", "09MEXICO1055")  # bob's browser searches for itself


def stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def ssh_ended(tmux: Tmux, name: str) -> bool:
    """The pane's ssh has exited: gone or a zombie. (tmux itself sometimes marks the pane dead
    late: its server is not always told of the exit at once.)"""
    pid = tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip()
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def children(pid: int) -> list[int]:
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").glob("*/children")
        for child in task.read_text().split()
    ]


def test_the_clients_no_color_is_honoured(tmp_path, site, serve, tmux):
    """The same truecolor client as above, with NO_COLOR=1 sent: only greys come back."""
    server = serve()
    env = {"COLORTERM": "truecolor", "NO_COLOR": "1", "LANG": "C.UTF-8"}
    connect(tmux, "alice", server, site["keys"]["alice"], tmp_path, **env)
    tmux.wait_for("alice", "63 of 63")
    colours = set(
        re.findall(r"[34]8;2;(\d+);(\d+);(\d+)", tmux("capture-pane", "-p", "-e", "-t", "alice"))
    )
    assert colours and all(r == g == b for r, g, b in colours)


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()
