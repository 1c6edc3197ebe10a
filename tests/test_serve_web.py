"""`cables serve web`: the token at the door, and a real (headless) chromium showing the app."""

from __future__ import annotations

import asyncio
import shutil
import urllib.error
import urllib.request

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
