"""The real service in its own process on a real port, with a real SQLite registry, and one
headless Debian chromium for the whole test session, driven by Playwright (no browser
download: ``executable_path=/usr/bin/chromium``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATROL = [sys.executable, "-m", "service.cli"]
CHROMIUM = os.environ.get("PATROL_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 720}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServedConsole:
    """``patrol serve`` in a subprocess; :meth:`restart` stops it and starts it on the same port."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.url = f"sqlite:///{tmp}/registry.sqlite3"
        # The page is under test, not recognition accuracy: tiny.en alone (no second model for
        # the spelling pass) and rule-based skill routing keep a (re)start short on 2 cores.
        self.env = {**os.environ, "PATROL_REGISTRY__URL": self.url, "PATROL_DATA_DIR": str(tmp),
                    "PATROL_STT__SPELLING_MODEL": "", "PATROL_ROUTER__SEMANTIC": "false",
                    "PYTHONUNBUFFERED": "1"}
        self.proc: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, str] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> None:
        """Seed a small registry (the fixture subjects plus 200 synthetic persons) and make tokens."""
        subprocess.run([*PATROL, "db", "init", "--seed-if-empty", "200"], env=self.env, cwd=ROOT, check=True,
                       capture_output=True, timeout=600)
        from lookup.db import make_engine
        from service.auth import TokenStore
        from service.core import ensure_tables

        engine = make_engine(self.url)
        ensure_tables(engine)
        store = TokenStore(engine)
        self.tokens = {
            "operator": store.create(role="operator", officer="OPS-1"),
            "supervisor": store.create(role="supervisor", officer="SUP-1"),
            "patrol": store.create(role="patrol", officer="E2E-1", unit="PC-12"),
        }
        engine.dispose()
        self._aml_model()

    def _aml_model(self) -> None:
        """The AML models the service will load (per report, and over the transaction graph):
        ones this test session already trained (the analytics tests point PATROL_DATA_DIR at
        theirs), else trained now by the project's code, so no request waits for training."""
        from analytics.aml import graph_model, model

        for name, trainer in (("aml", model.load_or_train), ("aml_graph", graph_model.load_or_train)):
            target = self.tmp / "models" / name
            source = Path(os.environ.get("PATROL_DATA_DIR", "var")) / "models" / name
            if (source / "model.pkl").exists():
                shutil.copytree(source, target)
            else:
                trainer(target)

    def start(self) -> None:
        log = (self.tmp / "serve.log").open("ab")
        self.proc = subprocess.Popen([*PATROL, "serve", "--port", str(self.port)], env=self.env, cwd=ROOT,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 600
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("service did not become ready: " + self.log_tail())
            time.sleep(0.25)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self) -> str:
        path = self.tmp / "serve.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedConsole]:
    server = ServedConsole(tmp_path_factory.mktemp("console"))
    server.prepare()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# Package scope: Playwright's sync API keeps an event loop running in the main thread while it
# is open, and tests after this package call asyncio.run.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make debs` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield chromium
        finally:
            chromium.close()


class Console:
    """One signed-in page, with what it logged (to check that nothing personal reaches the console)."""

    def __init__(self, page: Any, served: ServedConsole) -> None:
        self.page = page
        self.served = served
        self.logs: list[str] = []
        self.errors: list[str] = []
        page.on("console", lambda m: self.logs.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def accessibility_problems(self) -> list[str]:
        """Serious and critical axe-core violations on the page as it is now."""
        from axe_playwright_python.sync_playwright import Axe

        found = Axe().run(self.page).response["violations"]
        return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                for v in found if v.get("impact") in ("serious", "critical")]

    def screenshot(self, name: str) -> None:
        """Save a 1280x720 view under ``$PATROL_SCREENSHOTS`` when it is set (docs/screenshots)."""
        folder = os.environ.get("PATROL_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"console-{name}.png"))

    def sign_in(self, role: str) -> None:
        self.page.goto(f"{self.served.base}/")
        self.page.get_by_label("API token").fill(self.served.tokens[role])
        self.page.locator("#signin-form button[type=submit]").click()
        self.page.wait_for_selector("#whoami:not(:empty)", timeout=10_000)


@pytest.fixture
def console(browser: Any, served: ServedConsole) -> Iterator[Console]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield Console(page, served)
    finally:
        context.close()
