"""The demo as a student meets it: `negosim demo` on 127.0.0.1, driven in headless Chromium.

Uses Debian's Chromium (/usr/bin/chromium) through Playwright; Playwright never
downloads a browser of its own. `.ci/run` installs Chromium and fills the
demo's local asset cache. Leaves a screenshot in artifacts/demo.png.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOT = ROOT / "artifacts" / "demo.png"
WAIT_MS = 120_000  # a loaded 2-core machine renders a step in seconds, not milliseconds


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (.ci/run installs it)")
    pytest.skip(what)


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """`negosim demo --port P` in a subprocess, as a teacher starts it; its URL once it answers."""
    pytest.importorskip("solara")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("demo") / "server.log"
    log = open(log_path, "w")  # noqa: SIM115 - the server writes to it until the fixture ends
    server = subprocess.Popen(
        [sys.executable, "-m", "negosim.cli", "demo", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    try:
        while True:
            if server.poll() is not None:
                log.flush()
                pytest.fail(f"negosim demo exited with {server.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"negosim demo did not answer on {url} within 180 s:\n{log_path.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()
        text = log_path.read_text()
        assert "Traceback" not in text, text
        assert "not in the local asset cache" not in text, text


@pytest.fixture
def open_page(browser, demo_url):
    """A new tab on the demo (its own browser context, like another student), once the page has drawn."""
    contexts = []

    def open_():
        context = browser.new_context(viewport={"width": 1600, "height": 1400})
        contexts.append(context)
        page = context.new_page()
        page.foreign = []  # any request that leaves 127.0.0.1
        page.failed = []  # any asset the server could not serve
        page.on(
            "request",
            lambda r: (
                page.foreign.append(r.url)
                if not r.url.startswith((demo_url, "data:", "blob:", "ws://127.0.0.1"))
                else None
            ),
        )
        page.on("response", lambda r: page.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(demo_url)
        page.get_by_text("Controls").wait_for(timeout=WAIT_MS)
        page.locator(".negosim-counter").wait_for(timeout=WAIT_MS)
        return page

    yield open_
    for context in contexts:
        context.close()


def rounds_played(page) -> int:
    text = page.locator(".negosim-counter").inner_text()
    match = re.search(r"Rounds played: (\d+)", text)
    assert match, text
    return int(match.group(1))


def step(page) -> int:
    """Press Step and wait until the round counter moves on; the new count."""
    before = rounds_played(page)
    page.get_by_role("button", name="Step").click()
    page.locator(".negosim-counter", has_text=f"Rounds played: {before + 1} ").wait_for(timeout=WAIT_MS)
    return before + 1


def test_step_narrate_and_screenshot(open_page):
    page = open_page()
    assert rounds_played(page) == 0
    assert "Before round 0" in page.locator(".negosim-narrative").inner_text()
    for expected in range(1, 6):
        assert step(page) == expected
        narrative = page.locator(".negosim-narrative").inner_text()
        assert f"Round {expected - 1} (" in narrative
    # The round in words: sentences like "UA signs version 3 (...)" or "RU objects to version 1 (...)".
    assert re.search(r"\b(signs|objects to) version \d+", narrative), narrative
    # All five panels are on the page: four pictures and the narrative.
    for alt in ("mediation graph", "text heat map", "utilities", "position index"):
        assert page.locator(f'img[alt="{alt}"]').count() == 1, alt
    assert page.get_by_role("button", name="Reset").is_visible()
    assert page.failed == [], page.failed  # every script, stylesheet and font came from the local cache
    assert page.foreign == [], page.foreign  # and nothing left this machine

    page.wait_for_timeout(500)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 50_000
    from PIL import Image

    with Image.open(SCREENSHOT) as image:
        assert image.size == (1600, 1400)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 500  # a drawn page, not a blank one


def test_slider_changes_the_world_after_reset(open_page):
    page = open_page()
    assert "mediator bias +0.25" in page.locator(".negosim-settings").inner_text()
    step(page)
    thumb = page.locator(".v-input", has_text="Mediator bias").locator('[role="slider"]')
    assert thumb.get_attribute("aria-valuenow") == "0.25"
    thumb.focus()
    for _ in range(5):  # 5 steps of 0.05
        thumb.press("ArrowRight")
    page.wait_for_function(
        "el => el.getAttribute('aria-valuenow') === '0.5'", arg=thumb.element_handle(), timeout=WAIT_MS
    )
    page.get_by_role("button", name="Reset").click()
    page.locator(".negosim-settings", has_text="mediator bias +0.50").wait_for(timeout=WAIT_MS)
    assert rounds_played(page) == 0  # a new world
    assert step(page) == 1
    assert "mediator bias +0.50" in page.locator(".negosim-settings").inner_text()


def test_each_tab_has_its_own_world(open_page):
    first = open_page()
    step(first)
    step(first)
    second = open_page()
    assert rounds_played(second) == 0  # not the first tab's world
    step(second)
    first.wait_for_timeout(1000)
    assert rounds_played(first) == 2  # the second tab's Step left the first tab's world alone
    assert rounds_played(second) == 1
