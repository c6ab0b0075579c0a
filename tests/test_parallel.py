"""--jobs N, --jobs auto and --engine dask: the per-note stage elsewhere, the same bytes as one process."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES
from pipeline.cache import NoteInfo
from pipeline.cli import app
from pipeline.parallel import NoteChanged, fork_available, reread
from pipeline.read import read_note
from pipeline.run import Config, extract

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def one_process(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("jobs1") / "out"
    extract(Config(inputs=[RAW], out=out, jobs=1))
    return outputs(out)


def test_jobs_2_writes_the_bytes_of_jobs_1_and_reports_notes_in_order(tmp_path, one_process):
    seen = []
    summary = extract(Config(inputs=[RAW], out=tmp_path / "out", jobs=2, cache=tmp_path / "cache"),
                      progress=lambda done, total, name, entries: seen.append((done, total, name)))
    assert summary.written and not summary.errors
    assert outputs(tmp_path / "out") == one_process
    names = sorted(p.name for p in RAW.iterdir())
    assert seen == [(i, len(names), name) for i, name in enumerate(names, 1)]
    # what the workers made is what a later run reads back
    again = extract(Config(inputs=[RAW], out=tmp_path / "again", jobs=2, cache=tmp_path / "cache"))
    assert again.written and outputs(tmp_path / "again") == one_process


@pytest.mark.skipif(not fork_available(), reason="forked workers need a platform that forks")
def test_jobs_auto_forks_workers_and_writes_the_bytes_of_jobs_1(tmp_path, one_process, monkeypatch):
    import pipeline.parallel as parallel

    monkeypatch.setattr(parallel, "cores", lambda: 2)
    started = []
    real = parallel.ForkEngine.__init__

    def spy(self, resources, jobs):
        started.append(jobs)
        real(self, resources, jobs)

    monkeypatch.setattr(parallel.ForkEngine, "__init__", spy)
    seen = []
    summary = extract(Config(inputs=[RAW], out=tmp_path / "out", jobs=0, cache=tmp_path / "cache"),
                      progress=lambda done, total, name, entries: seen.append(name))
    assert summary.written and not summary.errors
    assert started == [2]
    assert outputs(tmp_path / "out") == one_process
    assert seen == sorted(p.name for p in RAW.iterdir())
    # everything cached now: no workers at all, the same bytes
    again = extract(Config(inputs=[RAW], out=tmp_path / "again", jobs=0, cache=tmp_path / "cache"))
    assert again.written and started == [2] and outputs(tmp_path / "again") == one_process


@pytest.mark.skipif(not fork_available(), reason="forked workers need a platform that forks")
def test_jobs_auto_caches_the_same_files_as_jobs_1(tmp_path, monkeypatch):
    """Forked workers leave the pinyin to the main process; what it stores is byte for byte a one-process run's."""
    import pipeline.parallel as parallel

    monkeypatch.setattr(parallel, "cores", lambda: 2)
    extract(Config(inputs=[RAW], out=tmp_path / "one", jobs=1, cache=tmp_path / "cache-one"))
    extract(Config(inputs=[RAW], out=tmp_path / "auto", jobs=0, cache=tmp_path / "cache-auto"))

    def stored(root: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (root / "notes").rglob("*.jsonl")}

    one, auto = stored(tmp_path / "cache-one"), stored(tmp_path / "cache-auto")
    assert one == auto and len(one) == len(list(RAW.iterdir()))
    assert any(b'"pinyin": {"' in data for data in one.values())


def test_jobs_auto_extracts_a_single_note_in_this_process(tmp_path, monkeypatch):
    import pipeline.parallel as parallel

    monkeypatch.setattr(parallel, "cores", lambda: 8)
    monkeypatch.setattr(parallel, "ForkEngine", lambda *a: pytest.fail("one note needs no workers"))
    note = sorted(RAW.iterdir())[1]
    summary = extract(Config(inputs=[note], out=tmp_path / "out", jobs=0))
    assert summary.written and summary.entries > 0


def test_cli_jobs_auto(tmp_path):
    result = CliRunner().invoke(app, ["extract", str(FIXTURES / "golden" / "raw"), "--out", str(tmp_path / "o"), "--jobs", "auto", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "projects.json").exists()


def test_dask_local_cluster_writes_the_bytes_of_a_local_run(tmp_path, one_process):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        summary = extract(Config(inputs=[RAW], out=tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address))
    assert summary.written and not summary.errors
    assert outputs(tmp_path / "out") == one_process


def test_a_note_that_changes_between_reads_is_refused(tmp_path):
    note = tmp_path / "n.md"
    note.write_text("# A\n", encoding="utf-8")
    info = NoteInfo.of(read_note(note, "n.md"), note)
    assert reread(info).text == "# A\n"
    note.write_text("# B\n", encoding="utf-8")
    with pytest.raises(NoteChanged):
        reread(info)


@pytest.mark.parametrize("args, message", [
    (["--engine", "dask"], "--scheduler"),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "--jobs", "2"], "--jobs"),
    (["--jobs", "0"], "--jobs"),
    (["--jobs", "many"], "--jobs"),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "--jobs", "auto"], "--jobs"),
])
def test_cli_refuses_engine_options_that_do_not_fit(tmp_path, args, message):
    result = CliRunner().invoke(app, ["extract", str(FIXTURES / "golden" / "raw"), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "o").exists()
