"""The HTML report opened in a real browser: headless Debian chromium, no network.

Chromium is driven over the DevTools protocol on ``--remote-debugging-pipe``
(JSON messages separated by NUL bytes on file descriptors 3 and 4), so the
test needs no websocket library and no downloaded browser. For each page it
checks: no console errors or exceptions, no request leaves the file, the
verdict is visible, every chart is an SVG with a nonzero drawn size, injected
script payloads never run, and a screenshot is saved under pytest's tmp_path.

Skipped (with the reason) only when chromium is missing and CI is not set;
.ci/run installs it, and with CI=true a missing browser fails the run.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.api import audit
from auditor.report import html
from tests.report_builders import PAYLOADS, full_report, with_rubric

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p.name for p in (REPO / "sample_data").glob("*.jsonl"))
TIMEOUT = 30.0
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


class DevTools:
    """A minimal DevTools-protocol client over chromium's debugging pipe."""

    def __init__(self, executable: str, profile: Path, log: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_pipes() -> None:  # in the child: the pipe ends become fds 3 and 4
            read_end = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 100)
            write_end = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 100)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        args = [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: nothing can be fetched
            "--window-size=1200,900",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log, close_fds=False, preexec_fn=wire_pipes
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        self._log.close()

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the debugging pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            seen = len(self.events)
            self.events.append(self._read(deadline))

    def evaluate(self, expression: str, session: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    executable = _browser()
    if executable is None:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail("CI is set but chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it and runs this test")
    folder = tmp_path_factory.mktemp("chromium")
    client = DevTools(executable, folder / "profile", folder / "chromium.log")
    try:
        client.call("Browser.getVersion")
        yield client
    finally:
        client.close()


# Everything the assertions need, read from the page in one evaluation.
PROBE = """JSON.stringify((() => {
  const verdict = document.getElementById('verdict');
  const box = verdict ? verdict.getBoundingClientRect() : null;
  const style = verdict ? getComputedStyle(verdict) : null;
  return {
    title: document.title,
    verdictText: verdict ? verdict.innerText : null,
    verdictVisible: !!box && box.width > 0 && box.height > 0 && box.top < innerHeight
      && style.display !== 'none' && style.visibility === 'visible' && style.opacity !== '0',
    charts: [...document.querySelectorAll('svg.chart')].map(s => {
      const r = s.getBoundingClientRect();
      return {w: r.width, h: r.height, shapes: s.querySelectorAll('rect,line,circle').length};
    }),
    scripts: document.querySelectorAll('script').length,
    images: document.querySelectorAll('img').length,
    injected: !!document.getElementById('injected'),
    pwned: window.__pwned === true,
  };
})())"""


def open_page(browser: DevTools, path: Path, shot: Path) -> dict[str, Any]:
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    start = len(browser.events)
    try:
        for domain in ("Runtime", "Log", "Page", "Network"):
            browser.call(f"{domain}.enable", session=session)
        browser.call("Page.navigate", {"url": path.as_uri()}, session)
        browser.wait_for("Page.loadEventFired", session)
        state = json.loads(browser.evaluate(PROBE, session))
        png = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session)["data"]
        shot.write_bytes(base64.b64decode(png))
        events = [e for e in browser.events[start:] if e.get("sessionId") == session]
    finally:
        browser.call("Target.closeTarget", {"targetId": target})
    state["errors"] = [
        e["params"]
        for e in events
        if e["method"] == "Runtime.exceptionThrown"
        or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
        or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    state["requests"] = [
        e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
    ]
    return state


def assert_clean(state: dict[str, Any], verdict: str, shot: Path) -> None:
    assert state["errors"] == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in state["requests"]), state["requests"]
    assert state["verdictVisible"] and verdict in state["verdictText"]
    assert state["title"].startswith(f"auditor: {verdict}")
    assert state["charts"], "no chart drawn"
    assert all(c["w"] > 0 and c["h"] > 0 and c["shapes"] > 0 for c in state["charts"]), state["charts"]
    assert shot.stat().st_size > 1000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_report_in_browser(name: str, browser: DevTools, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "sample_data")
    report = audit(REPO / "sample_data" / name, config={})
    page = tmp_path / "report.html"
    page.write_text(html.render(report), encoding="utf-8")
    shot = tmp_path / f"{name}.png"
    assert_clean(open_page(browser, page, shot), report.verdict, shot)


def test_report_with_every_chart_in_browser(browser: DevTools, tmp_path: Path) -> None:
    report = full_report()
    page = tmp_path / "full.html"
    page.write_text(html.render(report), encoding="utf-8")
    shot = tmp_path / "full.png"
    state = open_page(browser, page, shot)
    assert_clean(state, report.verdict, shot)
    assert len(state["charts"]) == 9
    assert state["title"] == f"auditor: {report.verdict} · b&gt;.jsonl".replace("&gt;", ">")


def test_rubric_report_charts_every_criterion_in_browser(browser: DevTools, tmp_path: Path) -> None:
    report = with_rubric(full_report())
    page = tmp_path / "rubric.html"
    page.write_text(html.render(report), encoding="utf-8")
    shot = tmp_path / "rubric.png"
    state = open_page(browser, page, shot)
    assert_clean(state, report.verdict, shot)
    assert len(state["charts"]) == 8  # the per-criterion chart replaces the annotator heatmap and bars


def test_injected_payloads_never_run(browser: DevTools, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hostile records go through the real loader and pipeline into the page, and stay text."""
    monkeypatch.chdir(tmp_path)
    hostile = [
        {"id": "<b>id</b>", "category": "<script>window.__pwned=true</script>", "input": text, "output": text}
        for text in (*PAYLOADS.values(), "<script>window.__pwned=true</script>", "<iframe srcdoc=\"<script>parent.__pwned=true</script>\">")
    ]
    plain = [{"id": f"ok{i}", "category": "billing", "input": f"question {i}", "output": f"answer {i}"} for i in range(30)]
    source = tmp_path / "hostile.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in plain + hostile), encoding="utf-8")
    report = audit(source, config={"min_examples": 10, "count.min_per_category": 20})
    page = tmp_path / "hostile.html"
    page.write_text(html.render(report), encoding="utf-8")
    shot = tmp_path / "hostile.png"
    state = open_page(browser, page, shot)
    assert_clean(state, report.verdict, shot)
    assert "pwned" not in state["title"] and not state["pwned"]
    assert state["scripts"] == 0 and state["images"] == 0 and not state["injected"]


def test_the_probe_sees_what_it_guards_against(browser: DevTools, tmp_path: Path) -> None:
    """The harness itself: a page that does run a payload and log an error is caught."""
    page = tmp_path / "unsafe.html"
    page.write_text(
        "<!DOCTYPE html><title>auditor: READY</title><div id=verdict>READY</div>"
        "<img src=x onerror=\"document.title='pwned'\"><script>console.error('boom')</script>",
        encoding="utf-8",
    )
    state = open_page(browser, page, tmp_path / "unsafe.png")
    assert state["title"] == "pwned" and state["images"] == 1 and state["scripts"] == 1
    assert any("boom" in json.dumps(e) for e in state["errors"])
