"""Entity resolution across notes."""
from __future__ import annotations

import gc

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dedup import EVIDENCE_FIELDS, _lone_project, _merged_project, _trusted, resolve, slug
from pipeline.models import Entry, Evidence, EvidenceRow, Project, Source
from pipeline.urls import make_url


def entry(name, urls=(), file="a.md", line=1, aliases=(), kind="model", from_url=False, params=()):
    return Entry(name=name, aliases=tuple(aliases), kind=kind, urls=tuple(make_url(u) for u in urls),
                 parameters=tuple(params), sources=(Source(file=file, line=line),), name_from_url=from_url)


def names(catalog):
    return sorted((p.name, tuple(f"{s.file}:{s.line}" for s in p.sources)) for p in catalog.projects)


def test_spellings_merge_and_keep_every_source():
    catalog = resolve([entry("Colossal AI", line=3), entry("ColossalAI", ["https://github.com/hpcaitech/ColossalAI"], file="b.md", line=9)])
    assert len(catalog.projects) == 1
    assert [f"{s.file}:{s.line}" for s in catalog.projects[0].sources] == ["a.md:3", "b.md:9"]


def test_size_suffix_merges_when_repositories_agree():
    catalog = resolve([entry("ChatGLM", ["https://github.com/THUDM/ChatGLM-6B"]), entry("ChatGLM-6B", ["https://github.com/THUDM/ChatGLM-6B"], line=5)])
    assert len(catalog.projects) == 1


def test_two_sizes_of_one_name_stay_apart_and_a_bare_name_joins_only_a_single_size():
    two_sizes = resolve([entry("baichuan-7B", line=1), entry("baichuan-13B", line=2), entry("Mixtral-8x7B", line=3),
                         entry("Mixtral-8x22B", ["https://huggingface.co/mistralai/Mixtral-8x22B-v0.1"], line=4)])
    assert sorted(p.name for p in two_sizes.projects) == ["Mixtral-8x22B", "Mixtral-8x7B", "baichuan-13B", "baichuan-7B"]
    one_size = resolve([entry("MPT", line=1), entry("MPT-7B", line=2), entry("MPT-7b", file="b.md")])
    assert len(one_size.projects) == 1
    # a name that lists sizes with one unit names the whole family, like the bare name
    listed = resolve([entry("Qwen", line=1), entry("Qwen-1.8B|7B|14B", line=2), entry("Qwen-7B", line=3)])
    assert len(listed.projects) == 1


def test_an_organizations_hub_page_joins_its_one_model_but_not_models_in_several_sizes():
    one = resolve([entry("Baichuan", ["https://huggingface.co/baichuan-inc"]),
                   entry("Baichuan-7B", ["https://huggingface.co/baichuan-inc/Baichuan-7B"], line=2)])
    assert len(one.projects) == 1
    several = resolve([entry("WizardLM", ["https://huggingface.co/WizardLM"]),
                       entry("WizardLM-7B-V1.0", ["https://huggingface.co/WizardLM/WizardLM-7B-V1.0"], line=2),
                       entry("WizardLM-13B-V1.0", ["https://huggingface.co/WizardLM/WizardLM-13B-V1.0"], line=3)])
    assert sorted(p.name for p in several.projects) == ["WizardLM", "WizardLM-13B-V1.0", "WizardLM-7B-V1.0"]


def test_same_name_different_repositories_stay_apart():
    catalog = resolve([
        entry("ChatLLaMA", ["https://github.com/nebuly-ai/nebullvm/tree/main/apps/accelerate/chatllama"]),
        entry("ChatLLaMA", ["https://github.com/juncongmoo/chatllama"], line=2),
    ])
    assert len(catalog.projects) == 2
    assert len({p.id for p in catalog.projects}) == 2


def test_shared_repository_different_names_stay_apart():
    catalog = resolve([entry("StableLM", ["https://github.com/Stability-AI/StableLM"]), entry("StableVicuna", ["https://github.com/Stability-AI/StableLM"], line=2)])
    assert sorted(p.name for p in catalog.projects) == ["StableLM", "StableVicuna"]


def test_name_from_url_joins_the_project_it_names():
    catalog = resolve([
        entry("HuaTuo", ["https://github.com/SCIR-HI/Huatuo-Llama-Med-Chinese"], aliases=["华佗"]),
        entry("huatuo-llama-med-chinese", ["https://github.com/scir-hi/huatuo-llama-med-chinese"], file="b.md", from_url=True),
        entry("华佗", file="c.md"),
    ])
    assert len(catalog.projects) == 1 and catalog.projects[0].name == "HuaTuo"


def test_acronym_from_url_joins_its_expansion():
    catalog = resolve([entry("Transformer Reinforcement Learning", ["https://github.com/lvwerra/trl"]),
                       entry("trl", ["https://github.com/lvwerra/trl"], file="b.md", from_url=True)])
    assert len(catalog.projects) == 1


def test_articles_do_not_absorb_projects():
    catalog = resolve([entry("PandaLM", ["https://github.com/WeOpenML/PandaLM"]),
                       entry("LLM评价模型PandaLM技术前瞻", ["https://github.com/WeOpenML/PandaLM"], kind="article", line=2)])
    assert len(catalog.projects) == 2


def test_resolution_is_idempotent_and_order_free():
    entries = [entry("Vicuna", ["https://github.com/lm-sys/FastChat"], line=1), entry("Chatbot Arena", ["https://github.com/lm-sys/FastChat"], line=2),
               entry("vicuna", file="b.md", params=[13000000000])]
    forward, backward = resolve(entries), resolve(list(reversed(entries)))
    assert forward == backward
    assert len(forward.projects) == 2


def test_ids_are_ascii_slugs():
    assert slug("Dolly 2.0") == "dolly-2-0"
    catalog = resolve([entry("文心一言")])
    assert catalog.projects[0].id.isascii() and catalog.projects[0].id.startswith("u-")


def test_name_qualified_by_its_organization_merges():
    qualified = entry("360智脑", ["https://github.com/Qihoo360/360zhinao"], file="b.md")
    plain = Entry(name="智脑", kind="model", organizations=("360",), sources=(Source(file="a.md", line=59),))
    assert len(resolve([plain, qualified]).projects) == 1
    other_org = Entry(name="智脑", kind="model", organizations=("百度",), sources=(Source(file="c.md", line=1),))
    assert len(resolve([other_org, qualified]).projects) == 2


def test_numbered_ids_skip_numbers_taken_by_other_names():
    # five same-named projects whose owners all slug to `a-b`, beside `Foo 2` (id foo-2) and an article `Foo`
    owners = ["a-b", "a_b", "a.b", "A--B", "a__b"]
    entries = [entry("Foo", [f"https://github.com/{owner}/foo{k}"], line=k + 1) for k, owner in enumerate(owners)]
    entries += [entry("Foo 2", line=20), entry("Foo", kind="article", line=30), entry("Foo", ["https://github.com/a-b-2/x"], line=40)]
    ids = {p.sources[0].line: p.id for p in resolve(entries).projects}
    assert ids == {1: "foo-a-b", 2: "foo-3", 3: "foo-4", 4: "foo-5", 5: "foo-6", 20: "foo-2", 30: "foo", 40: "foo-a-b-2"}


def test_trusted_records_are_what_model_construct_makes():
    fields = {"id": "belle", "field": "parameters", "value": "7000000000", "file": "a.md", "line": 3, "quote": "BELLE-7B"}
    made = _trusted(EvidenceRow, dict(fields), EVIDENCE_FIELDS)
    constructed = EvidenceRow.model_construct(_fields_set=set(EVIDENCE_FIELDS), **fields)
    for slot in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"):
        assert getattr(made, slot) == getattr(constructed, slot), slot
    assert made == constructed and hash(made) == hash(constructed) and repr(made) == repr(constructed)
    assert made.model_dump_json() == EvidenceRow(**fields).model_dump_json()
    assert EVIDENCE_FIELDS == set(EvidenceRow.model_fields) == set(fields)


def test_ids_qualified_by_owner_never_clash_across_names():
    """`Foo` by bar-baz and `Foo Bar` by baz both qualify to foo-bar-baz: the second to claim it is numbered."""
    entries = [
        entry("Foo", ["https://github.com/bar-baz/foo"], line=1), entry("Foo", ["https://github.com/qux/foo"], line=2),
        entry("Foo Bar", ["https://github.com/baz/foo-bar"], line=3), entry("Foo Bar", ["https://github.com/zed/foo-bar"], line=4),
    ]
    for order in (entries, entries[::-1]):
        ids = {p.sources[0].line: p.id for p in resolve(list(order)).projects}
        assert len(set(ids.values())) == 4, ids
        assert ids == {1: "foo-bar-baz", 2: "foo-qux", 3: "foo-bar-2", 4: "foo-bar-zed"}


def _records_alike(made, validated):
    """The same slots, values and value types: what a record made without validation must match."""
    for slot in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"):
        assert getattr(made, slot) == getattr(validated, slot), slot
    assert [type(v) for v in made.__dict__.values()] == [type(v) for v in validated.__dict__.values()]
    assert made == validated and repr(made) == repr(validated)


def test_projects_are_the_records_validation_makes():
    """resolve makes Project records without validating them again: they must be what Project(...) makes."""
    catalog = resolve([entry("BELLE", ["https://github.com/LianjiaTech/BELLE", "https://arxiv.org/abs/2303.14742"],
                             aliases=["Be", "BELLE"], params=[7, 7, 13]),
                       entry("belle", ["https://github.com/LianjiaTech/BELLE"], file="b.md", aliases=["x"]),
                       entry("华佗", file="c.md")])
    assert len(catalog.projects) == 2
    for project in catalog.projects:
        _records_alike(project, Project(**{name: getattr(project, name) for name in Project.model_fields}))
    for row in catalog.evidence:
        _records_alike(row, EvidenceRow(**row.model_dump()))


WORDS = st.sampled_from(["", "Foo", "foo", "Bar-7B", "华佗", "x y"])
URLS = st.sampled_from([make_url(u) for u in ("https://github.com/a/b", "https://github.com/a/b/", "https://x.org/p",
                                               "https://huggingface.co/a")])
SOURCES = st.builds(Source, file=st.sampled_from(["a.md", "b.md"]), line=st.integers(1, 3))
ENTRIES = st.builds(
    Entry, name=WORDS, name_from_url=st.booleans(), aliases=st.lists(WORDS, max_size=3).map(tuple),
    kind=st.sampled_from(["model", "tool", "article"]), urls=st.lists(URLS, max_size=3).map(tuple),
    base_models=st.lists(WORDS, max_size=3).map(tuple), parameters=st.lists(st.integers(0, 3), max_size=3).map(tuple),
    languages=st.lists(st.sampled_from(["zh", "en"]), max_size=3).map(tuple), organizations=st.lists(WORDS, max_size=2).map(tuple),
    sources=st.lists(SOURCES, min_size=1, max_size=3).map(tuple),
    evidence=st.lists(st.builds(Evidence, field=st.just("name"), value=WORDS, file=st.just("a.md"), line=st.integers(1, 2),
                                quote=WORDS), max_size=3).map(tuple))


@settings(max_examples=300, deadline=None)
@given(one=ENTRIES)
def test_a_group_of_one_makes_what_the_merging_of_several_makes(one):
    assert _lone_project(one) == _merged_project([one])


def test_records_made_while_the_collector_pauses_go_to_the_oldest_generation():
    entries = [entry(f"Name{k}", [f"https://github.com/o{k}/n{k}"], line=k + 1) for k in range(50)]
    assert gc.isenabled()
    catalog = resolve(entries)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    oldest = gc.get_objects(generation=2)
    assert any(o is catalog.projects[0] for o in oldest) and any(o is catalog.projects[-1] for o in oldest)
    gc.freeze()  # what parallel.py's engines do before forking: resolution must not release those objects
    try:
        frozen = gc.get_freeze_count()
        assert resolve(entries) == catalog and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        assert resolve(entries) == catalog and not gc.isenabled()
    finally:
        gc.enable()
