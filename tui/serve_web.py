"""`cables serve web`: the browser in a web page through textual-serve, one app per visitor.

Bound to localhost unless told otherwise; any other bind needs a token (given, or generated and
printed): a visitor opens `/?token=…` once, gets a cookie and is sent on without the token in the
address; without either, every page, socket and file is 403. (Here, not in `cables/`: textual-serve
brings Rich.)
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import shlex
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

from cables import paths
from cables.config import Config
from cables.serve.common import (
    browser_environment,
    server_log,
    state_path,
    write_child_config,
)
from cables.serve.forks import ForkServer

COOKIE = "cables_token"
# What textual-serve sets for its apps and Textual reads once, at import.
WEB_DRIVER = {
    "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
    "TEXTUAL_FPS": "60",
    "TEXTUAL_COLOR_SYSTEM": "truecolor",
}
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TokenServer(Server):
    """textual-serve's server, with every request checked for the token when there is one."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        token: str | None,
        public_url: str | None,
        log: logging.Logger,
        forks: ForkServer,
    ) -> None:
        super().__init__(command, host=host, port=port, title="cables", public_url=public_url)
        self.own_url = public_url is None  # http://HOST:PORT, once the port is known
        self.token = token
        self.log = log
        self.forks = forks

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One visitor's app, from its socket opening to its closing: one log line each."""
        self.log.info(f"connect address={request.remote} reader=web key=-")
        try:
            return await super().handle_websocket(request)
        finally:
            self.log.info(f"disconnect address={request.remote} reader=web key=-")

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        if self.token is not None:
            app.middlewares.append(self._check_token)
        return app

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
    # Web visitors are not told apart (no keys): they share one state file of their own.
    # textual-serve passes its own environment on (with its driver's variables added).
    os.environ.update(browser_environment(config_file, state_path(data_dir, "web")))
    os.environ.pop("CABLES_LIBRARY", None)
    with tempfile.TemporaryDirectory(prefix="cables-serve-") as private:  # mode 0700
        listen = Path(private) / "forks"
        # Each visitor's app is an attach client: the browser itself is forked, index loaded.
        command = shlex.join(
            [
                sys.executable,
                "-m",
                "cables.serve.attach",
                str(listen),
                str(library),
                str(config_file),
            ]
        )
        # Read by Textual when the fork server imports it, so set there and not per visitor.
        driver = {name: os.environ.get(name, value) for name, value in WEB_DRIVER.items()}
        forks = ForkServer(library, config_file, data_dir, log, listen=listen, env=driver)
        server = TokenServer(
            command, host=host, port=port, token=token, public_url=public_url, log=log, forks=forks
        )
        log.info(f"start web {host}:{port} library={library}")
        try:
            asyncio.run(server.run())
        except OSError as exc:
            print(f"cables serve: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
            return 2
    log.info("stop web")
    return 0
