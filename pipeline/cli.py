"""Command line: a thin typer layer that maps options onto run.Config.

Exit codes: 0 ok, 1 input errors (bad notes), 2 usage or rules errors.
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .emit import OutputError
from .rules import RulesError
from .run import DEFAULT_RULES, Config, EngineError, extract

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Extract a clean catalog of language models from raw notes.")

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


@app.callback()
def _main() -> None:
    """Extract a clean catalog of language models from raw notes."""


class Engine(str, Enum):
    local = "local"
    dask = "dask"


def _parse_jobs(value: str) -> int:
    """`auto` is 0 in run.Config; anything else must be a whole number of workers, 1 or more."""
    if value == "auto":
        return 0
    try:
        number = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a number of workers or 'auto'") from None
    if number < 1:
        raise typer.BadParameter(f"{number} workers: give 1 or more, or 'auto'")
    return number


@app.command("extract")
def extract_command(
    inputs: Optional[list[Path]] = typer.Argument(None, help="Raw notes or folders of notes (default: raw/)."),
    out: Path = typer.Option(Path("normalized"), "--out", "-o", help="Output folder."),
    rules: Path = typer.Option(DEFAULT_RULES, "--rules", help="Rules folder."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Write the catalog from the good files and list the bad ones."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only: no progress, warnings or summary."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also log each note's timing and the files written."),
    ner: Optional[Path] = typer.Option(None, "--ner", help="Also tag model names with a trained NER model folder (`make train`; off by default)."),
    jobs: str = typer.Option("1", "--jobs", "-j", callback=_parse_jobs, metavar="N|auto",
                             help="Worker processes for the per-note stage: N spawned workers, or auto: "
                                  "one per CPU core, forked once the NLP resources are loaded."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local (this machine) or dask (a Dask cluster, see --scheduler)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address for --engine dask (tcp://host:8786)."),
    cache: Path = typer.Option(Path(".cache"), "--cache", help="Folder of per-note results reused by the next run."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Extract every note again and keep nothing."),
) -> None:
    """Extract the catalog from raw notes into OUT."""
    from .progress import Reporter

    if quiet and verbose:
        raise typer.BadParameter("--quiet and --verbose cannot be combined")
    if engine is Engine.dask and not scheduler:
        raise typer.BadParameter("--engine dask needs --scheduler ADDRESS", param_hint="--scheduler")
    if engine is Engine.dask and jobs != 1:
        raise typer.BadParameter("--jobs is for --engine local; a Dask cluster sizes itself", param_hint="--jobs")
    config = Config(inputs=list(inputs or [Path("raw")]), out=out, rules=rules, skip_bad=skip_bad, ner=ner,
                    cache=None if no_cache else cache, jobs=jobs, engine=engine.value, scheduler=scheduler)
    try:
        with Reporter(quiet=quiet, verbose=verbose) as reporter:
            summary = extract(config, progress=reporter)
    except RulesError as err:
        for issue in err.issues:
            typer.echo(f"error: {issue}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except OutputError as err:
        typer.echo(f"error: {err}; the previous outputs are untouched", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except EngineError as err:
        typer.echo(f"error: {err}; nothing written", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    for issue in [] if quiet else summary.warnings:
        typer.echo(f"warning: {issue}", err=True)
    for issue in summary.errors:
        typer.echo(f"error: {issue}", err=True)
    if not summary.written:
        typer.echo(f"no output written: {len(summary.errors)} input error(s); fix them or pass --skip-bad", err=True)
        raise typer.Exit(EXIT_INPUT)
    reporter.written(out)
    if not quiet:
        typer.echo(f"files={summary.files} entries={summary.entries} projects={summary.projects} "
                   f"warnings={len(summary.warnings)} errors={len(summary.errors)}"
                   + (f" skipped={len(summary.errors)}" if skip_bad else "") + f" -> {out}")
    if summary.errors:
        raise typer.Exit(EXIT_INPUT)


@app.command("eval")
def eval_command(
    raw: Path = typer.Argument(..., help="Raw notes folder (or a note) to run the pipeline on."),
    gold: Path = typer.Option(..., "--gold", help="Gold folder: one FILE.jsonl per annotated note."),
    show: int = typer.Option(0, "--show", help="List up to N misses of each sort."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    rules: Path = typer.Option(DEFAULT_RULES, "--rules", help="Rules folder."),
) -> None:
    """Run the pipeline on RAW and score it against GOLD (entity, name, URL, base-model, parameter figures)."""
    import json
    import tempfile

    from .evaluate import evaluate, render_text

    if not gold.is_dir():
        raise typer.BadParameter(f"{gold} is not a folder", param_hint="--gold")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            summary = extract(Config(inputs=[raw], out=Path(tmp) / "out", rules=rules, skip_bad=True))
        except RulesError as err:
            for issue in err.issues:
                typer.echo(f"error: {issue}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        for issue in summary.errors:
            typer.echo(f"error: {issue}", err=True)
        projects = json.loads((Path(tmp) / "out" / "projects.json").read_text(encoding="utf-8"))
        manifest = json.loads((Path(tmp) / "out" / "manifest.json").read_text(encoding="utf-8"))
    # score against the gold of the notes that were run, as `score.py --files` does
    report = evaluate(projects, gold, files={item["name"] for item in manifest["inputs"]}, show=show)
    typer.echo(json.dumps(report.figures, ensure_ascii=False, indent=1) if as_json else render_text(report), nl=as_json)


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("diff")
def diff_command(
    old: str = typer.Argument(..., help="Old catalog: an output folder, or a git revision (HEAD~1, or REV:PATH)."),
    new: str = typer.Argument("normalized", help="New catalog, given the same way."),
    fmt: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f", help="text, markdown (PR comment) or json."),
) -> None:
    """Show what changed between two catalogs: exit 0 when nothing did, 1 when something did."""
    from .diff import SideError, diff

    try:
        result, text = diff(old, new, fmt.value)
    except SideError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    typer.echo(text, nl=False)
    raise typer.Exit(1 if result else EXIT_OK)


def _load(catalog: Path):
    from .api import CatalogError, load_catalog

    try:
        return load_catalog(catalog)
    except CatalogError as err:
        for issue in err.issues:
            typer.echo(f"error: {catalog}/{issue}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


@app.command("explain")
def explain_command(
    key: str = typer.Argument(..., help="Project id, name or alias."),
    catalog: Path = typer.Option(Path("normalized"), "--catalog", "-c", help="Output folder to read."),
    fmt: ExplainFormat = typer.Option(ExplainFormat.text, "--format", "-f", help="text or json."),
) -> None:
    """Print a project's record with the file, line and quoted text behind every value."""
    from .display import printable
    from .explain import ProjectLookupError, explain

    loaded = _load(catalog)
    try:
        typer.echo(explain(loaded, key, fmt.value), nl=False)
    except ProjectLookupError as err:
        typer.echo(f"error: {printable(str(err))}", err=True)
        if err.candidates:
            typer.echo("did you mean:" if err.args[0].startswith("no project") else "candidates:", err=True)
        for project in err.candidates:
            typer.echo(f"  {project.id}  {printable(project.name)}", err=True)
        raise typer.Exit(EXIT_INPUT) from None


@app.command("report")
def report_command(
    catalog: Path = typer.Argument(Path("normalized"), help="Output folder to read."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="HTML file to write [default: CATALOG/report.html]."),
) -> None:
    """Write one self-contained HTML page: searchable table, lineage graph, size chart, evidence."""
    from .report import write_report

    loaded = _load(catalog)
    path = write_report(loaded, out or catalog / "report.html")
    families = len({b for p in loaded.projects for b in p.base_models})
    typer.echo(f"projects={len(loaded)} families={families} -> {path}")


def main() -> None:
    app()
