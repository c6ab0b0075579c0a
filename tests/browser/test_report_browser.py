"""The report in a real headless Chromium: loads clean, search filters, graph complete, values inert.

`make test` installs Debian's chromium when it is missing and sets REQUIRE_BROWSER=1,
so there the browser tests cannot be skipped; a bare `pytest` without chromium skips them.
Screenshots land in tests/artifacts/ (gitignored) for a person to look at.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalogs import HOSTILE, HOSTILE_NAME, write_hostile
from devtools import Browser, find_chromium
from pipeline import load_catalog
from pipeline.report import _search_text, write_report
from pipeline.run import PROJECT_ROOT

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SEARCH = "llama"


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed; `make test` installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed; run `make test` to install it")
    with Browser(executable) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """The committed seed catalog, the one people read."""
    catalog = load_catalog(PROJECT_ROOT / "normalized")
    return catalog, write_report(catalog, tmp_path_factory.mktemp("report") / "report.html")


def visible_rows(browser) -> list[str]:
    return browser.evaluate("Array.from(document.querySelectorAll('#projects tbody tr'))"
                            ".filter(r => !r.hidden && r.offsetParent !== null).map(r => r.id.slice(2))")


def test_page_loads_without_console_errors(browser, seed):
    catalog, page = seed
    browser.open(page.as_uri())
    assert browser.problems() == []
    assert browser.evaluate("document.title") == f"Language model catalog: {len(catalog)} projects"
    assert len(visible_rows(browser)) == len(catalog)


def test_typing_in_the_search_box_filters_rows(browser, seed):
    catalog, page = seed
    browser.open(page.as_uri())
    browser.evaluate("document.getElementById('search').focus()")
    browser.type(SEARCH)
    expected = [p.id for p in catalog.projects if SEARCH in _search_text(p)]
    assert 0 < len(expected) < len(catalog)
    assert visible_rows(browser) == expected
    assert browser.evaluate("document.getElementById('count').textContent") == f"{len(expected)} of {len(catalog)} projects"
    browser.screenshot(ARTIFACTS / "report-search.png")
    assert browser.problems() == []


def test_sorting_by_size_and_evidence_on_demand(browser, seed):
    catalog, page = seed
    browser.open(page.as_uri())
    browser.evaluate("document.querySelectorAll('#projects thead th')[4].querySelector('button').click()")
    browser.evaluate("document.querySelectorAll('#projects thead th')[4].querySelector('button').click()")
    largest = max(catalog.projects, key=lambda p: (max(p.parameters, default=0)))
    first = visible_rows(browser)[0]
    assert max(catalog.get(first).parameters) == max(largest.parameters)
    opened = browser.evaluate(f"(() => {{ const d = document.querySelector('#p-{first} details'); "
                              "d.querySelector('summary').click(); return d.open && d.querySelector('q').offsetHeight > 0; })()")
    assert opened
    assert browser.problems() == []


def test_graph_has_a_node_for_every_base_family(browser, seed):
    catalog, page = seed
    browser.open(page.as_uri())
    families = browser.evaluate("Array.from(document.querySelectorAll('#lineage svg g.family')).map(g => g.dataset.family)")
    assert sorted(families) == sorted({b for p in catalog.projects for b in p.base_models})
    drawn = browser.evaluate("Array.from(document.querySelectorAll('#lineage svg g.family circle'))"
                             ".every(c => c.getBoundingClientRect().width > 0)")
    assert drawn
    family = browser.evaluate("(() => { const g = document.querySelector('#lineage svg g.family'); "
                              "g.dispatchEvent(new MouseEvent('click')); return g.dataset.family; })()")
    terms = family.lower().split()
    expected = [p.id for p in catalog.projects if all(t in _search_text(p) for t in terms)]
    assert visible_rows(browser) == expected
    assert set(expected) >= {p.id for p in catalog.projects if family in p.base_models}
    browser.evaluate("window.scrollTo(0, 0); document.getElementById('search').value = ''; "
                     "document.getElementById('search').dispatchEvent(new Event('input'));"
                     "document.getElementById('lineage').scrollIntoView()")
    browser.screenshot(ARTIFACTS / "report-lineage.png")
    browser.evaluate("document.getElementById('sizes').scrollIntoView()")
    browser.screenshot(ARTIFACTS / "report-sizes.png")
    assert (ARTIFACTS / "report-lineage.png").stat().st_size > 10_000
    assert browser.problems() == []


def test_hostile_values_render_as_text(browser, tmp_path):
    page = write_report(load_catalog(write_hostile(tmp_path / "out")), tmp_path / "report.html")
    browser.open(page.as_uri())
    assert browser.problems() == [], "a dialog, console error or CSP violation means markup ran"
    assert browser.evaluate("document.querySelectorAll('img, b, textarea').length") == 0
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.querySelector('#projects tbody tr td .v').textContent") == HOSTILE_NAME
    cells = browser.evaluate("Array.from(document.querySelectorAll('#projects tbody td')).map(td => td.textContent)")
    assert HOSTILE["alias"] in cells and HOSTILE["base"] in cells
    families = browser.evaluate("Array.from(document.querySelectorAll('#lineage svg g.family')).map(g => g.dataset.family)")
    assert HOSTILE["base"] in families
    browser.evaluate("document.getElementById('search').focus()")
    browser.type("<img")
    assert visible_rows(browser) == [load_catalog(tmp_path / "out").find(HOSTILE_NAME)[0].id]
    browser.screenshot(ARTIFACTS / "report-hostile.png")
    assert browser.problems() == []
