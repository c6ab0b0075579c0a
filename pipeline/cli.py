"""Command line: a thin typer layer that maps options onto run.Config.

Exit codes: 0 ok, 1 input errors (bad notes), 2 usage or rules errors.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .rules import RulesError
from .run import DEFAULT_RULES, Config, extract

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Extract a clean catalog of language models from raw notes.")

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


@app.callback()
def _main() -> None:
    """Extract a clean catalog of language models from raw notes."""


@app.command("extract")
def extract_command(
    inputs: Optional[list[Path]] = typer.Argument(None, help="Raw notes or folders of notes (default: raw/)."),
    out: Path = typer.Option(Path("normalized"), "--out", "-o", help="Output folder."),
    rules: Path = typer.Option(DEFAULT_RULES, "--rules", help="Rules folder."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Write the catalog from the good files and list the bad ones."),
) -> None:
    """Extract the catalog from raw notes into OUT."""
    config = Config(inputs=list(inputs or [Path("raw")]), out=out, rules=rules, skip_bad=skip_bad)
    try:
        summary = extract(config)
    except RulesError as err:
        for issue in err.issues:
            typer.echo(f"error: {issue}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    for issue in summary.warnings:
        typer.echo(f"warning: {issue}", err=True)
    for issue in summary.errors:
        typer.echo(f"error: {issue}", err=True)
    if not summary.written:
        typer.echo(f"no output written: {len(summary.errors)} input error(s); fix them or pass --skip-bad", err=True)
        raise typer.Exit(EXIT_INPUT)
    typer.echo(f"files={summary.files} entries={summary.entries} projects={summary.projects} "
               f"warnings={len(summary.warnings)} errors={len(summary.errors)} -> {out}")
    if summary.errors:
        raise typer.Exit(EXIT_INPUT)


def main() -> None:
    app()
