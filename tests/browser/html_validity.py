"""The Nu HTML checker (vnu.jar from npm's vnu-jar) over every page the browser tests reach.

axe_check (conftest.py) hands each page it checks to PAGES as the browser has it at that moment.
Starting Java takes seconds, so the checker runs once, over all of them, as one more test item
(tests/browser::test_html_validity) added after the last browser test of the run: a page with an
HTML error fails that item, which CI requires to have run and passed (.ci/run).

Without Java or the jar the item skips with the reason, except in CI (CI=true), where it fails.
VNU_KEEP_PAGES=/some/folder keeps a copy of the pages checked, to look at them afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

ITEM_NAME = "test_html_validity"
VNU_JAR = Path("node_modules/vnu-jar/build/dist/vnu.jar")
TIMEOUT_SECONDS = 600
# What changes on every response without changing the markup's validity: the CSP nonce and the
# CSRF token. Left out of the key, so that a page reached twice is checked once.
VOLATILE = re.compile(r'\bnonce="[^"]*"|<input\b[^>]*\bcsrf_token\b[^>]*>')


@dataclass
class CheckedPage:
    html: str
    url: str
    test: str
    times_reached: int = 1


@dataclass
class Pages:
    """The distinct documents axe_check saw during this run, first URL and test for each."""

    by_key: dict[str, CheckedPage] = field(default_factory=dict)
    reached: int = 0

    def add(self, html: str, url: str) -> None:
        self.reached += 1
        key = hashlib.sha256(VOLATILE.sub("", html).encode()).hexdigest()
        seen = self.by_key.get(key)
        if seen is not None:
            seen.times_reached += 1
            return
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
        self.by_key[key] = CheckedPage(html=html, url=url, test=test)


PAGES = Pages()


@dataclass
class Outcome:
    pages: int
    reached: int
    errors: int
    seconds: float


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


def unavailable(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"the HTML check cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def run_vnu(java: str, jar: Path, folder: Path) -> list[dict[str, Any]]:
    """vnu's messages for every .html file in the folder (errors only)."""
    command = [java, "-jar", str(jar), "--errors-only", "--exit-zero-always"]
    command += ["--format", "json", "--stdout", "--skip-non-html", str(folder)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"vnu.jar exited with {done.returncode}:\n{done.stderr}", pytrace=False)
    try:
        messages: list[dict[str, Any]] = json.loads(done.stdout)["messages"]
    except (ValueError, KeyError) as error:
        pytest.fail(f"vnu.jar's output is not its JSON ({error}):\n{done.stdout[:2000]}")
    return messages


def describe(messages: list[dict[str, Any]], files: dict[str, CheckedPage]) -> str:
    lines: list[str] = []
    for name, page in files.items():
        mine = [m for m in messages if m.get("url", "").endswith("/" + name)]
        if not mine:
            continue
        lines.append(f"{page.url} ({len(mine)} error(s); first reached by {page.test})")
        source = page.html.splitlines()
        for message in mine:
            line = message.get("lastLine") or message.get("firstLine")
            lines.append(f"  line {line}: {message.get('message')}")
            extract = " ".join(str(message.get("extract", "")).split())
            if not extract and line and line <= len(source):
                extract = " ".join(source[line - 1].split())[:200]
            if extract:
                lines.append(f"      {extract}")
    # Anything not about one page (vnu could not read a file, or failed inside): never ignored.
    ours = {"/" + name for name in files}
    lines += [
        f"vnu: {m.get('type')} {m.get('subType', '')}: {m.get('message')} ({m.get('url', '')})"
        for m in messages
        if not any(m.get("url", "").endswith(name) for name in ours)
    ]
    return "\n".join(lines)


def check_pages(root: Path, pages: Pages) -> tuple[Outcome, str]:
    """What the checker found in the pages (nothing when they are valid), and how long it took."""
    if not pages.by_key:
        unavailable("no browser test handed a page to axe_check (were they all skipped?)")
    java = shutil.which("java")
    if java is None:
        unavailable("no java command for the Nu HTML checker: apt-get install default-jre-headless")
    jar = root / VNU_JAR
    if not jar.is_file():
        unavailable(f"{jar} is missing (run make install)")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        files: dict[str, CheckedPage] = {}
        for number, page in enumerate(pages.by_key.values(), start=1):
            name = f"page-{number:04d}.html"
            (Path(folder) / name).write_text(page.html, encoding="utf-8")
            files[name] = page
        if os.environ.get("VNU_KEEP_PAGES"):  # to look at the pages afterwards
            shutil.copytree(folder, os.environ["VNU_KEEP_PAGES"], dirs_exist_ok=True)
        messages = run_vnu(java, jar, Path(folder))
    outcome = Outcome(len(files), pages.reached, len(messages), time.perf_counter() - started)
    if not messages:
        return outcome, ""
    return outcome, (
        f"the Nu HTML checker found {len(messages)} error(s) in the {len(files)} distinct "
        f"pages the browser tests reached:\n" + describe(messages, files)
    )


class HtmlValidity(pytest.Item):
    """Runs after the last browser test of the run (added by conftest.py)."""

    outcome: Outcome | None = None

    def runtest(self) -> None:
        outcome, errors = check_pages(self.config.rootpath, PAGES)
        HtmlValidity.outcome = outcome
        self.user_properties += [
            ("pages_checked", outcome.pages),
            ("pages_reached", outcome.reached),
            ("errors", outcome.errors),
            ("vnu_seconds", round(outcome.seconds, 1)),
        ]
        if errors:
            pytest.fail(errors, pytrace=False)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return Path(__file__), None, f"{ITEM_NAME}: the Nu HTML checker over the pages reached"


def add_check(items: list[pytest.Item]) -> None:
    """Append the check after the browser tests, if any browser test is to run."""
    here = Path(__file__).parent
    browser = [item for item in items if here in item.path.parents]
    if not browser:
        return
    folder = browser[-1].parent
    while folder is not None and folder.path != here:
        folder = folder.parent
    assert folder is not None, f"no collector for {here}"
    check = HtmlValidity.from_parent(folder, name=ITEM_NAME)
    check.add_marker(pytest.mark.browser)
    items.insert(items.index(browser[-1]) + 1, check)
