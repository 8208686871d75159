"""Open pages in a real browser: headless Chromium driven by Playwright.

For the tests, the README's screenshots and the page-load benchmark:

    python -m tinygrad_tx.viz.browser out/pages/neuron.html ...   # load times

Playwright (a dev dependency) drives the system's Chromium (Debian's
`chromium` package) through `executable_path`: Playwright's own browser
download is not needed. Every request the page makes is recorded and refused,
so a page that tried to fetch anything would show it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The Chromium to drive: $TXV_CHROMIUM, else the first on PATH."""
    given = os.environ.get("TXV_CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


def why_no_browser() -> str | None:
    """None when pages can be opened; else the reason, for a test's skip."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (uv sync installs the dev group)"
    if find_chromium() is None:
        return "no Chromium found (Debian: apt install chromium; or set TXV_CHROMIUM)"
    return None


class Visit:
    """One page opened: `page` (Playwright's), the console errors and every
    request made after the page's own file."""

    def __init__(self, page, url: str):
        self.page, self.url = page, url
        self.errors: list[str] = []
        self.requests: list[str] = []


@contextmanager
def browser():
    """A launched headless Chromium (Playwright's Browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=find_chromium(), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(chromium, path, width: int = 1280, height: int = 800) -> Visit:
    """Open the HTML file at `path`, refusing every other request, and wait
    until its script has drawn it (data-ready on the page's <div>)."""
    url = Path(path).resolve().as_uri()
    page = chromium.new_page(viewport={"width": width, "height": height})
    visit = Visit(page, url)
    page.on("console", lambda m: m.type == "error" and visit.errors.append(m.text))
    page.on("pageerror", lambda e: visit.errors.append(str(e)))

    def refuse(route):
        if route.request.url != url:
            visit.requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", refuse)
    page.goto(url)
    page.wait_for_selector(".txv[data-ready='1']", timeout=10_000)
    return visit


def load_time(chromium, path) -> float:
    """Seconds from the start of navigation until the page is drawn, as the
    page itself measures it (performance.now() when its script finished)."""
    visit = open_page(chromium, path)
    ms = visit.page.get_attribute(".txv[data-ready='1']", "data-ready-ms")
    seconds = float(ms) / 1000
    visit.page.close()
    return seconds


def screenshot(chromium, path, png, width=1100, height=620, actions=None) -> Path:
    """A PNG of the page at `path` after `actions(page)` (clicks, keys)."""
    visit = open_page(chromium, path, width, height)
    if actions is not None:
        actions(visit.page)
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(png))
    visit.page.close()
    return png


def main(paths: list[str], repeats: int = 5) -> None:
    """Print the median load time of each page over `repeats` loads."""
    reason = why_no_browser()
    if reason:
        sys.exit(f"cannot measure: {reason}")
    with browser() as chromium:
        for path in paths:
            load_time(chromium, path)  # warm-up: the first load pays for the cache
            times = [load_time(chromium, path) for _ in range(repeats)]
            size = Path(path).stat().st_size / 1024
            print(
                f"{path}: {size:,.0f} KiB, drawn after {statistics.median(times):.3f} s "
                f"(median of {repeats}; min {min(times):.3f} s)"
            )


if __name__ == "__main__":
    started = time.perf_counter()
    main(
        sys.argv[1:]
        or sys.exit("usage: python -m tinygrad_tx.viz.browser PAGE.html ...")
    )
    print(f"total {time.perf_counter() - started:.1f} s")
