"""`cables serve web`: the token at the door, and a real (headless) chromium showing the app."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from serve_support import Chromium, Server

pytestmark = pytest.mark.e2e


@pytest.fixture
def serve(tmp_path, fixtures_library):
    servers: list[Server] = []

    def start(*options: str) -> Server:
        log = tmp_path / f"web{len(servers)}.log"
        server = Server(fixtures_library, "web", "--port", "0", *options, log=log)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    """Status and headers, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_token_once_then_cookie_else_403(serve):
    server = serve("--token", "s3cret")
    base = f"http://127.0.0.1:{server.port}"
    assert get(base + "/")[0] == 403
    assert get(base + "/static/js/textual.js")[0] == 403
    assert get(base + "/ws")[0] == 403
    assert get(base + "/?token=wrong")[0] == 403
    status, headers = get(base + "/?token=s3cret&fontsize=14")
    assert status == 302 and headers["Location"] == "/?fontsize=14"  # the token leaves the address
    assert "cables_token=s3cret" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]
    assert get(base + "/", cookie="cables_token=s3cret")[0] == 200
    assert get(base + "/", cookie="cables_token=other")[0] == 403


def test_localhost_needs_no_token_but_any_other_bind_does(serve):
    local = serve()
    assert get(f"http://127.0.0.1:{local.port}/")[0] == 200
    assert not any("token=" in line for line in local.lines)
    exposed = serve("--host", "0.0.0.0")
    line = exposed.wait_for_line("visitors open")
    token = line.rsplit("token=", 1)[1]
    assert len(token) >= 24
    assert get(f"http://127.0.0.1:{exposed.port}/")[0] == 403
    assert get(f"http://127.0.0.1:{exposed.port}/?token={token}")[0] == 302


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
async def test_chromium_shows_the_app_and_reads_a_cable(tmp_path, serve):
    server = serve("--token", "t0ken")
    async with Chromium(tmp_path / "chromium") as chromium:
        await chromium.call("Page.navigate", url=f"http://127.0.0.1:{server.port}/?token=t0ken")
        await chromium.wait_for("63 of 63")  # the sidebar's count: the app runs, the index is in
        await chromium.call(
            "Runtime.evaluate",
            expression="document.querySelector('.xterm-helper-textarea').focus()",
        )
        await chromium.key("f", "KeyF", 70, ctrl=True)
        await asyncio.sleep(1)  # keys sent before the focus lands would stay with the old widget
        await chromium.type("mexico1055")
        await chromium.wait_for("1 of 63")
        await chromium.key("Enter", "Enter", 13)
        screen = await chromium.wait_for("09MEXICO1055 │")  # the footer of the open cable
        assert "2009-04-14" in screen
    log = (tmp_path / "web0.log").read_text()
    assert "connect address=127.0.0.1 reader=web" in log
    assert "ready: 63 cables indexed" in log  # the app was forked from the fork server


_CSI = re.compile(rb"\x1b\[[0-9;?<>=]*[A-Za-z~]")


class Visitor:
    """One web visitor with a cookie jar of their own, their app through textual-serve's socket
    (keys in as the page's `stdin` messages; the screen's text read from what comes back)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.output = b""

    async def page(self) -> str:
        """Open the page (as a browser does first); the visitor's id from the cookie it set."""
        async with self.http.get(self.base + "/") as response:
            assert response.status == 200
        (cookie,) = [c for c in self.http.cookie_jar if c.key == "cables_visitor"]
        return cookie.value.split(".")[0]

    async def start(self) -> None:
        self.ws = await self.http.ws_connect(self.base + "/ws?width=110&height=30")
        self.output = b""

    async def keys(self, text: str) -> None:
        assert self.ws is not None
        await self.ws.send_json(["stdin", text])
        await asyncio.sleep(0.3)

    async def wait_for(self, text: str, timeout: float = 40) -> None:
        assert self.ws is not None
        deadline = time.monotonic() + timeout
        while text.encode() not in _CSI.sub(b"", self.output):
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} from the app: {_CSI.sub(b'', self.output)[-2000:]!r}"
            try:
                message = await self.ws.receive(timeout=left)
            except TimeoutError:
                continue
            assert message.type == aiohttp.WSMsgType.BINARY or message.type == (
                aiohttp.WSMsgType.TEXT
            ), f"the app's socket ended: {message}"
            if message.type == aiohttp.WSMsgType.BINARY:
                self.output += message.data

    async def stop(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        await self.http.close()


async def open_and_bookmark(visitor: Visitor, query: str, ref: str) -> None:
    await visitor.start()
    await visitor.wait_for("63 of 63")  # the index is in; the search box has the focus
    await visitor.keys(query)
    await visitor.wait_for("1 of 63")
    await visitor.keys("\r")
    await visitor.wait_for(f"{ref} │")  # the footer of the open cable
    await visitor.keys("b")


def wait_for_file(path: Path, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while not (path.exists() and text in path.read_text()):
        assert time.monotonic() < deadline, f"{path}: no {text!r}"
        time.sleep(0.1)
    return path.read_text()


async def test_each_visitor_has_their_own_state_by_their_cookie(serve, isolated_dirs):
    server = serve()
    base = f"http://127.0.0.1:{server.port}"
    visitors = isolated_dirs / ".local" / "share" / "cables" / "web-visitors"
    ana, ben = Visitor(base), Visitor(base)
    try:
        ana_id, ben_id = await ana.page(), await ben.page()
        assert ana_id != ben_id and re.fullmatch(r"[0-9a-f]{24}", ana_id)
        await open_and_bookmark(ana, "mexico1055", "09MEXICO1055")
        await open_and_bookmark(ben, "berlin1167", "09BERLIN1167")
        ana_state = wait_for_file(visitors / ana_id / "state.toml", "09MEXICO1055")
        ben_state = wait_for_file(visitors / ben_id / "state.toml", "09BERLIN1167")
        assert "09BERLIN1167" not in ana_state and "09MEXICO1055" not in ben_state
        # Back later with the same cookie: the app starts where this visitor left off.
        await ana.ws.close()  # type: ignore[union-attr]
        await ana.start()
        await ana.wait_for("09MEXICO1055 │")
    finally:
        await ana.stop()
        await ben.stop()
    assert not (isolated_dirs / ".local" / "share" / "cables" / "readers" / "web").exists()


def test_a_visitor_cookie_not_signed_by_the_server_gets_a_new_one(serve, isolated_dirs):
    server = serve()
    key = isolated_dirs / ".local" / "share" / "cables" / "web-visitor-key"
    assert key.stat().st_mode & 0o777 == 0o600
    base = f"http://127.0.0.1:{server.port}/"
    status, headers = get(base)
    first = re.search(r"cables_visitor=([0-9a-f]{24})\.([0-9a-f]+)", headers["Set-Cookie"])
    assert status == 200 and first is not None and "HttpOnly" in headers["Set-Cookie"]
    status, headers = get(base, cookie=first[0])
    assert status == 200 and "Set-Cookie" not in headers  # known: kept
    made_up = f"cables_visitor={first[1]}.{'0' * len(first[2])}"
    status, headers = get(base, cookie=made_up)
    again = re.search(r"cables_visitor=([0-9a-f]{24})\.", headers["Set-Cookie"])
    assert again is not None and again[1] != first[1]
    server.stop()  # the key outlives the server: a visitor is still known after a restart
    restarted = serve()
    status, headers = get(f"http://127.0.0.1:{restarted.port}/", cookie=first[0])
    assert status == 200 and "Set-Cookie" not in headers
