"""`cables serve ssh|web`: one library, many readers, each with a browser process of their own.

asyncssh and textual-serve are imported here only when their command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import secrets
from pathlib import Path

from cables import paths
from cables.commands._shared import fail
from cables.config import Config, from_args, resolve_library
from cables.exits import EXIT_FATAL
from cables.library import Library, LibraryError


def _global_options(parser: argparse.ArgumentParser) -> None:
    """`--library` and `--config` after the mode too (`cables serve ssh --library X`)."""
    parser.add_argument("--library", metavar="PATH", default=argparse.SUPPRESS, help="library")
    parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    modes = parser.add_subparsers(dest="mode", metavar="MODE", required=True)
    ssh = modes.add_parser("ssh", help="serve the browser over SSH (keys only)")
    _global_options(ssh)
    ssh.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    ssh.add_argument("--port", type=int, default=2222, help="port (2222; 0 picks a free one)")
    ssh.add_argument(
        "--authorized-keys",
        metavar="FILE",
        help="OpenSSH authorized_keys of the readers (default: authorized_keys in the config dir)",
    )
    ssh.add_argument("--max-sessions", type=_positive, default=32, metavar="N", help="(32)")
    ssh.add_argument(
        "--idle-timeout",
        type=float,
        default=1800,
        metavar="SECONDS",
        help="end a session after this long without a key (1800; 0: never)",
    )
    ssh.add_argument(
        "--rate-limit",
        type=_positive,
        default=20,
        metavar="N",
        help="new connections allowed per address per minute (20)",
    )
    web = modes.add_parser("web", help="serve the browser in a web page (textual-serve)")
    _global_options(web)
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    web.add_argument("--port", type=int, default=8000, help="port (8000)")
    web.add_argument("--token", help="visitors' token (required off localhost; else generated)")
    web.add_argument(
        "--public-url", metavar="URL", help="the address visitors use (default http://HOST:PORT)"
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be at least 1")
    return value


def is_local(host: str) -> bool:
    """Only this machine can reach an address on the loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _library(args: argparse.Namespace) -> tuple[Config, Path] | None:
    """The config and the served library (which must already exist), or None after saying why."""
    config = from_args(args)  # a bad config rises to `cables.cli` (cables.exits)
    path = resolve_library(args, config)
    try:
        Library.open(path).close()
    except LibraryError as exc:
        fail("serve", str(exc))
        return None
    return config, path.resolve()


def run(args: argparse.Namespace) -> int:
    found = _library(args)
    if found is None:
        return EXIT_FATAL
    config, library = found
    if args.mode == "web":
        from cables.browser import serve_web

        token = args.token
        if token is None and not is_local(args.host):
            token = secrets.token_urlsafe(24)
        return serve_web(
            config, library, host=args.host, port=args.port, token=token, public_url=args.public_url
        )
    return _serve_ssh(args, config, library)


def _serve_ssh(args: argparse.Namespace, config: Config, library: Path) -> int:
    from cables.serve.common import server_log, write_child_config
    from cables.serve.keys import AuthorizedKeys, KeysError, host_key
    from cables.serve.ssh import Settings, serve

    data_dir = paths.data_dir()
    keys_path = Path(args.authorized_keys or paths.config_dir() / "authorized_keys")
    if not keys_path.exists():
        fail("serve", f"{keys_path}: no authorized_keys yet: add each reader's public key there")
        return EXIT_FATAL
    try:
        keys = AuthorizedKeys(keys_path)
        key, made = host_key(data_dir)
    except KeysError as exc:
        fail("serve", str(exc))
        return EXIT_FATAL
    for problem in keys.problems:
        fail("serve", problem)
    if not len(keys):
        fail("serve", f"{keys_path}: no usable key: add each reader's public key there")
        return EXIT_FATAL
    fingerprint = key.get_fingerprint("sha256")
    state = "made" if made else "in"
    print(f"cables serve ssh: host key {fingerprint} (ED25519, {state} {data_dir})", flush=True)
    settings = Settings(
        library=library,
        data_dir=data_dir,
        config_file=write_child_config(data_dir, config, library, "serve-ssh"),
        authorized_keys=keys,
        log=server_log(data_dir, "ssh"),
        max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout,
        rate_limit=args.rate_limit,
    )
    try:
        return asyncio.run(serve(settings, args.host, args.port, key))
    except OSError as exc:
        fail("serve", f"cannot listen on {args.host}:{args.port}: {exc}")
        return EXIT_FATAL
