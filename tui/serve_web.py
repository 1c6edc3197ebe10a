"""`cables serve web`: the browser in a web page through textual-serve, one app per visitor.

Bound to localhost unless told otherwise; any other bind needs a token (given, or generated and
printed): a visitor opens `/?token=…` once, gets a cookie and is sent on without the token in the
address; without either, every page, socket and file is 403. Each visitor is told apart by a
second cookie, a random id signed with the server's key, and has their own state file by it (as
an SSH reader has by name). (Here, not in `cables/`: textual-serve brings Rich.)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import re
import secrets
import shlex
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from cables import paths
from cables.config import Config
from cables.paths import STATE_ENV
from cables.serve.common import browser_environment, server_log, write_child_config
from cables.serve.forks import ForkServer

COOKIE = "cables_token"
VISITOR_COOKIE = "cables_visitor"
VISITOR_DAYS = 400  # the longest a browser keeps a cookie
_VISITOR = re.compile(r"[0-9a-f]{24}")
# What textual-serve sets for its apps and Textual reads once, at import.
WEB_DRIVER = {
    "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
    "TEXTUAL_FPS": "60",
    "TEXTUAL_COLOR_SYSTEM": "truecolor",
}
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Visitors:
    """Who a web visitor is: a random id in a cookie signed with the server's key (kept in the
    data dir, so cookies outlive a restart), and the state file kept for that id."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "web-visitors"
        key_file = data_dir / "web-visitor-key"
        try:  # made as the host key is: mode 0600 from the start
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
        self.key = key_file.read_bytes()
        if len(self.key) < 32:
            raise OSError(f"{key_file}: too short for a key; remove it to have a new one made")

    @staticmethod
    def new() -> str:
        return secrets.token_hex(12)

    def cookie(self, visitor: str) -> str:
        return f"{visitor}.{self._sign(visitor)}"

    def visitor(self, cookie: str | None) -> str | None:
        """The id a cookie carries, if this server signed it (an id made up elsewhere is not)."""
        visitor, _, signature = (cookie or "").partition(".")
        if _VISITOR.fullmatch(visitor) and hmac.compare_digest(signature, self._sign(visitor)):
            return visitor
        return None

    def state_file(self, visitor: str) -> Path:
        return self.folder / visitor / "state.toml"

    def _sign(self, visitor: str) -> str:
        return hmac.new(self.key, visitor.encode(), hashlib.sha256).hexdigest()


class TokenServer(Server):
    """textual-serve's server, with every request checked for the token when there is one, and
    every visitor's app on that visitor's own state file."""

    def __init__(
        self,
        command: list[str],
        *,
        host: str,
        port: int,
        token: str | None,
        public_url: str | None,
        log: logging.Logger,
        forks: ForkServer,
        visitors: Visitors,
    ) -> None:
        super().__init__(
            shlex.join(command), host=host, port=port, title="cables", public_url=public_url
        )
        self.own_url = public_url is None  # http://HOST:PORT, once the port is known
        self.app_command = command  # the visitor's state file is added to it
        self.token = token
        self.log = log
        self.forks = forks
        self.visitors = visitors

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One visitor's app, from its socket opening to its closing: one log line each.

        textual-serve's own, but for the command: each visitor's names their state file."""
        visitor = request["visitor"]
        command = shlex.join([*self.app_command, str(self.visitors.state_file(visitor))])
        who = f"address={request.remote} reader=web-{visitor[:8]} key=-"
        self.log.info(f"connect {who}")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: AppService | None = None

        async def close() -> None:
            await websocket.close()

        try:
            await websocket.prepare(request)
            app_service = AppService(
                command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # as textual-serve does: the visitor's app ends, not the server
            self.log.info(f"error {who} ({type(error).__name__}: {error})")
        finally:
            if app_service is not None:
                await app_service.stop()
            self.log.info(f"disconnect {who}")
        return websocket

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        if self.token is not None:
            app.middlewares.append(self._check_token)
        app.middlewares.append(self._identify)
        return app

    @web.middleware
    async def _identify(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """The visitor the cookie names, else a new one (told by a cookie of their own)."""
        visitor = self.visitors.visitor(request.cookies.get(VISITOR_COOKIE))
        request["visitor"] = visitor or self.visitors.new()
        response = await handler(request)
        if visitor is None and not response.prepared:  # (a socket's answer has gone already)
            response.set_cookie(
                VISITOR_COOKIE,
                self.visitors.cookie(request["visitor"]),
                max_age=VISITOR_DAYS * 86400,
                httponly=True,
                samesite="Lax",  # still theirs when they follow a link to the page
                secure=self.public_url.startswith("https:"),
            )
        return response

    @web.middleware
    async def _check_token(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        assert self.token is not None
        given = request.query.get("token")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            # The token leaves the address (and the history) at once; the cookie carries it on.
            query = {k: v for k, v in request.query.items() if k != "token"}
            response = web.HTTPFound(request.rel_url.with_query(query))
            response.set_cookie(
                COOKIE,
                self.token,
                httponly=True,
                samesite="Strict",
                secure=self.public_url.startswith("https:"),
            )
            raise response
        cookie = request.cookies.get(COOKIE, "")
        if cookie and hmac.compare_digest(cookie.encode(), self.token.encode()):
            return await handler(request)
        raise web.HTTPForbidden(text="cables: open the address with ?token=… given by the server\n")

    async def on_startup(self, app: web.Application) -> None:
        """No banner: `run` says where it listens once it does."""

    async def run(self) -> None:
        """Listen (port 0: any free one) until SIGTERM or SIGINT, then end every visitor's app."""
        self.forks.start()
        runner = web.AppRunner(await self._make_app(), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self.port = runner.addresses[0][1]
        if self.own_url:
            self.public_url = f"http://{self.host}:{self.port}"
        print(f"cables serve web: listening on {self.host}:{self.port}", flush=True)
        if self.token is not None:
            print(
                f"cables serve web: visitors open {self.public_url}/?token={self.token}", flush=True
            )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        await runner.cleanup()
        await self.forks.stop()


def serve_web(
    config: Config,
    library: Path,
    *,
    host: str,
    port: int,
    token: str | None,
    public_url: str | None,
) -> int:
    """Serve until SIGTERM or SIGINT; the token (if any) is checked on every request."""
    data_dir = paths.data_dir()
    log = server_log(data_dir, "web")
    config_file = write_child_config(data_dir, config, library, "serve-web")
    try:
        visitors = Visitors(data_dir)
    except OSError as exc:
        print(f"cables serve: {exc}", file=sys.stderr)
        return 2
    # textual-serve passes its own environment on (with its driver's variables added); each
    # visitor's state file is added by their app's command, never one shared by all.
    os.environ.update(browser_environment(config_file, Path(os.devnull)))
    os.environ.pop(STATE_ENV)
    os.environ.pop("CABLES_LIBRARY", None)
    with tempfile.TemporaryDirectory(prefix="cables-serve-") as private:  # mode 0700
        listen = Path(private) / "forks"
        # Each visitor's app is an attach client: the browser itself is forked, index loaded.
        command = [
            sys.executable,
            "-m",
            "cables.serve.attach",
            str(listen),
            str(library),
            str(config_file),
        ]
        # Read by Textual when the fork server imports it, so set there and not per visitor.
        driver = {name: os.environ.get(name, value) for name, value in WEB_DRIVER.items()}
        forks = ForkServer(library, config_file, data_dir, log, listen=listen, env=driver)
        server = TokenServer(
            command,
            host=host,
            port=port,
            token=token,
            public_url=public_url,
            log=log,
            forks=forks,
            visitors=visitors,
        )
        log.info(f"start web {host}:{port} library={library}")
        try:
            asyncio.run(server.run())
        except OSError as exc:
            print(f"cables serve: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
            return 2
    log.info("stop web")
    return 0
