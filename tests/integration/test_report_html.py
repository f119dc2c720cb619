"""The HTML report in a real browser: headless Chromium renders it offline; check what it shows.

Needs Debian's chromium (scripts/ensure-chromium installs it).
"""

from __future__ import annotations

import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dockwright import _subprocess
from dockwright.cli import main
from dockwright.measure import history
from tests.unit.measure.sample import sample_result

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = os.environ.get("DOCKWRIGHT_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail("no chromium: run scripts/ensure-chromium (apt-get install chromium)")
    return found


@pytest.fixture
def page(tmp_path: Path) -> Path:
    project = tmp_path / "proj"
    project.mkdir()
    db = history.db_path(project)
    history.record_bench(db, sample_result("api"))
    later = sample_result("api")
    history.record_bench(
        db,
        later.model_copy(
            update={
                "info": later.info.model_copy(update={"started_at": "2026-01-03T00:00:00+00:00"})
            }
        ),
    )
    out = tmp_path / "report.html"
    assert main(["report", str(project), "--format", "html", "--output", str(out)]) == 0
    return out


class Visible(HTMLParser):
    """Text outside <style>, and the start tags, of a DOM dump."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False if tag == "style" else self._style

    def handle_data(self, data: str) -> None:
        if not self._style and data.strip():
            self.text.append(data.strip())

    def count(self, tag: str, cls: str) -> int:
        return sum(1 for t, a in self.tags if t == tag and cls in (a.get("class") or "").split())


def _browser(chromium: str, tmp_path: Path, *args: str) -> _subprocess.Completed:
    argv = [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    return _subprocess.run(argv, timeout=120, env={"HOME": str(tmp_path)})


def test_chromium_renders_names_ratios_and_charts(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    done = _browser(chromium, tmp_path, "--dump-dom", page.as_uri())
    dom = Visible()
    dom.feed(done.stdout)
    text = " ".join(dom.text)
    assert "dockwright bench report" in text and "api" in text
    assert "0.03x" in text and "0.50x" in text  # code and warm ratios
    assert "1.30 GB" in text and "700.0 MB" in text
    assert "Dockerfile:2 RUN step1" in text and "root/.cache/pip/big.whl" in text
    assert dom.count("svg", "chart-time") == 3
    assert dom.count("svg", "chart-layers") == 1 and dom.count("svg", "chart-own-layers") == 1
    assert dom.count("svg", "chart-trend") == 2
    assert (
        dom.count("rect", "bar") == 5 and dom.count("circle", "point") == 2 * 2 + 2
    )  # warm+code, size; 2 runs


def test_chromium_screenshot_is_drawn(chromium: str, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    _browser(chromium, tmp_path, "--window-size=1100,1800", f"--screenshot={shot}", page.as_uri())
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    keep = os.environ.get("DOCKWRIGHT_KEEP_SCREENSHOT")
    if keep:
        Path(keep).write_bytes(data)
