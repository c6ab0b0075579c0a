"""`pipeline report`: one self-contained, escaped, deterministic HTML page (the browser test drives it)."""
from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from catalogs import HOSTILE, HOSTILE_NAME, write_golden, write_hostile
from pipeline import load_catalog
from pipeline.cli import app
from pipeline.models import Url
from pipeline.report import SCRIPT, STYLE, _link, render_report

runner = CliRunner()


@pytest.fixture(scope="module")
def golden_out(tmp_path_factory, rules, recognizer):
    return write_golden(tmp_path_factory.mktemp("report") / "out", rules, recognizer)


@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory):
    return render_report(load_catalog(write_hostile(tmp_path_factory.mktemp("hostile") / "out")))


def test_default_output_goes_beside_the_catalog(golden_out):
    result = runner.invoke(app, ["report", str(golden_out)])
    assert result.exit_code == 0, result.output
    families = len({b for p in load_catalog(golden_out).projects for b in p.base_models})
    assert result.output == f"projects=8 families={families} -> {golden_out / 'report.html'}\n"
    assert (golden_out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    (golden_out / "report.html").unlink()


def test_out_option_and_determinism(golden_out, tmp_path):
    first = runner.invoke(app, ["report", str(golden_out), "--out", str(tmp_path / "a" / "r.html")])
    second = runner.invoke(app, ["report", str(golden_out), "-o", str(tmp_path / "b.html")])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert (tmp_path / "a" / "r.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["r.html"]


def test_bad_catalog_exits_2(tmp_path):
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "projects.json: missing" in result.output


def test_page_has_a_row_per_project_and_a_node_per_family(golden_out):
    catalog = load_catalog(golden_out)
    html = render_report(catalog)
    assert re.findall(r'<tr id="p-([^"]+)"', html) == [p.id for p in catalog.projects]
    families = {b for p in catalog.projects for b in p.base_models}
    assert set(re.findall(r'<g class="node family" data-family="([^"]+)"', html)) == families
    sizes = {s for p in catalog.projects for s in p.parameters}
    assert {int(s) for s in re.findall(r'<g class="bar" data-size="(\d+)"', html)} == sizes


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_self_contained_and_locked_down(golden_out):
    html = render_report(load_catalog(golden_out))
    tags = Elements(html).tags
    assert not {t for t, _ in tags} & {"link", "img", "iframe", "object", "embed", "base", "form"}
    assert not any("src" in attrs for _, attrs in tags) and not re.search(r"@import|url\(", html)
    assert html.count("<script>") == 1 and html.count("<style>") == 1
    csp = next(a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    digest = lambda text: "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert "default-src 'none'" in csp and f"script-src '{digest(SCRIPT)}'" in csp and digest(STYLE) in csp
    assert f"<script>{SCRIPT}</script>" in html and f"<style>{STYLE}</style>" in html


def test_every_hostile_value_is_escaped(hostile_html):
    tags = Elements(hostile_html).tags
    assert [t for t, _ in tags if t in ("img", "script", "b", "textarea")] == ["script"]
    assert not [(t, name) for t, attrs in tags for name in attrs if name.startswith("on")]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile_html
    body = hostile_html.split("</style>", 1)[1].split("<script>", 1)[0]
    for value in (HOSTILE_NAME, *HOSTILE.values()):
        assert value not in body
    titles = [attrs["title"] for _, attrs in tags if "title" in attrs]
    assert any(HOSTILE["quote"] in title for title in titles), "the quote is shown, as text, on hover"


def test_only_web_links_become_anchors():
    entry = {"value": "x", "evidence": []}
    assert _link(Url(url="javascript:alert(1)", domain="", type="other"), entry).startswith("<span")
    assert _link(Url(url="https://a.org/x", domain="a.org", type="homepage"), entry).startswith('<a href="https://a.org/x"')
