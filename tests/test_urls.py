"""URL finding, canonicalization and typing."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import case_id, load_cases
from pipeline import urls


@pytest.mark.parametrize("case", load_cases("urls"), ids=case_id)
def test_canonical_and_type(case):
    made = urls.make_url(case["input"])
    if case["expected"] is None:
        assert made is None, case["why"]
    else:
        assert made is not None and made.url == case["expected"], case["why"]
        assert made.type == case["type"]


def test_glued_urls_are_split():
    text = "https://mp.weixin.qq.com/s/V5pCvYvkPXwiMw-FNIErXwhttps://github.com/hpcaitech/ColossalAI"
    found = [u for _, _, u in urls.find_urls(text)]
    assert found == ["https://mp.weixin.qq.com/s/V5pCvYvkPXwiMw-FNIErXw", "https://github.com/hpcaitech/ColossalAI"]


def test_url_stops_at_chinese_punctuation():
    found = [u for _, _, u in urls.find_urls("开源地址为：https://github.com/PKU-Alignment/safe-rlhf。该项目")]
    assert found == ["https://github.com/PKU-Alignment/safe-rlhf"]


def test_scheme_less_known_host_and_parenthesized_domain():
    found = [u for _, _, u in urls.find_urls("see github.com/x/y and (lmflow.com) but not llama.cpp")]
    assert found == ["github.com/x/y", "lmflow.com"]


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/XueFuzhao/InstructionWild/tree/main/data", "InstructionWild"),
    ("https://huggingface.co/datasets/Hello-SimpleAI/HC3-Chinese/tree/main", "HC3-Chinese"),
    ("https://huggingface.co/datasets/OpenAssistant/oasst1", "oasst1"),
    ("https://huggingface.co/THUDM/chatglm-6b", "chatglm-6b"),
    ("https://openi.pcl.ac.cn/BAAI/WuDao-Data", None),
])
def test_repo_name_is_the_repository_not_a_subpath(url, expected):
    assert urls.repo_name(url) == expected


@pytest.mark.parametrize("path", ["./source/figure_gif.pptx", "../docs/a.md", ".hidden/x"])
def test_relative_paths_are_not_urls(path):
    assert urls.canonical(path) is None
    assert urls.canonical("github.com/a/b") == "https://github.com/a/b"


def test_repo_identity_ignores_case_and_subpaths():
    assert urls.repo_identity("https://github.com/SCIR-HI/Huatuo/tree/main/x") == "github.com/scir-hi/huatuo"
    assert urls.repo_identity("https://huggingface.co/datasets/a/b") is None


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("hHtTpPsS:/.wgithubcomGITHUB()（）xyz-ai 好")), max_size=50))
def test_url_gates_never_hide_a_url(text):
    """A pattern's quick search only skips texts the pattern finds nothing in."""
    from pipeline.urls import URL_PATTERNS

    for pattern, gate in URL_PATTERNS:
        if gate is not None and not gate.admits(text):
            assert pattern.search(text) is None, (pattern.pattern, text)


@settings(max_examples=400, deadline=None)
@given(url=st.builds(lambda scheme, host, path: f"{scheme}{host}{path}",
                     st.sampled_from(["https://", "http://", "HTTPS://", "", "//"]),
                     st.sampled_from(["github.com", "GitHub.COM", "www.github.com", "gitee.com", "huggingface.co", "HuggingFace.co:443",
                                      "user@github.com", "modelscope.cn", "www.modelscope.cn", "example.com", "githubxcom", "İgithub.com"]),
                     st.text(alphabet=st.sampled_from(list("/abAB-_.?#İ")), max_size=16)))
def test_repo_identity_host_shortcut_agrees_with_parsing_every_url(url):
    """The substring test that skips parsing never skips a repository or model page."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = urls.domain(url)
    segments = [s for s in parts.path.split("/") if s]
    expected = None
    if host in urls.REPO_HOSTS and len(segments) >= 2:
        expected = f"{host}/{segments[0].lower()}/{segments[1].lower()}"
    if host in urls.HUB_HOSTS and len(segments) >= 2 and segments[0] not in ("datasets", "spaces", "blog", "docs", "papers", "models"):
        expected = f"{host}/{segments[0].lower()}/{segments[1].lower()}"
    assert urls.repo_identity(url) == expected
