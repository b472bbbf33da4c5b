"""``jobmap inspect``, ``sample`` and ``download``: what a dataset holds, a subset, the zip."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jobmap.cli.app import MAX_COLUMNS_SHOWN, SAMPLE_COLUMNS, main
from jobmap.cli.options import data_options, overwrite_option
from jobmap.cli.render import _fmt, _relative
from jobmap.config import parse_column_mapping


@main.command()
@data_options
@click.option("--samples", default=3, show_default=True, help="Sample rows shown per table.")
@click.option("--seed", default=0, show_default=True, help="Seed for choosing the sample rows.")
def inspect(
    data: Path | None,
    cache_dir: Path | None,
    columns: tuple[str, ...],
    encoding: str,
    samples: int,
    seed: int,
) -> None:
    """Show every table: row count, columns, types, null share and a few sample rows."""
    from jobmap.data.dataset import load
    from jobmap.data.inspect import summarize

    ds = load(data, columns=parse_column_mapping(columns), cache_dir=cache_dir, encoding=encoding)
    info = summarize(ds, n_samples=samples, seed=seed)
    out = Console(highlight=False)
    cached = "from the cache" if ds.from_cache else "read and cached"
    out.print(f"[bold]{escape(ds.source)}[/]", soft_wrap=True)
    out.print(escape(f"{ds.kind}, {cached}: {ds.folder or 'not cached'}"), soft_wrap=True)
    overview = Table(title="Tables", title_justify="left")
    for col in ("table", "rows", "columns", "file"):
        overview.add_column(col, justify="right" if col in ("rows", "columns") else "left")
    for row in info["tables"].to_dict("records"):
        overview.add_row(
            str(row["table"]),
            f"{row['rows']:,}",
            str(row["columns"]),
            escape(_relative(row["file"], ds)),
        )
    out.print(overview)
    columns_df = info["columns"]
    for name in ds.table_names:
        part = columns_df[columns_df["table"] == name]
        t = Table(title=f"{name}: {ds.rows(name):,} rows", title_justify="left")
        name_w = max([6, *(len(str(c)) for c in part["column"].head(MAX_COLUMNS_SHOWN))])
        type_w = max([4, *(len(str(c)) for c in part["type"])])
        example_w = max(12, out.width - name_w - type_w - 6 - 13)
        t.add_column("column", no_wrap=True, min_width=name_w)
        t.add_column("type", no_wrap=True, min_width=type_w)
        t.add_column("null %", justify="right", no_wrap=True, min_width=6)
        t.add_column("example", overflow="ellipsis", no_wrap=True, max_width=example_w)
        for r in part.head(MAX_COLUMNS_SHOWN).to_dict("records"):
            t.add_row(
                _fmt(r["column"]),
                str(r["type"]),
                f"{100 * r['null_share']:.1f}",
                _fmt(r["example"], 200),
            )
        out.print(t)
        if len(part) > MAX_COLUMNS_SHOWN:
            out.print(
                f"... and {len(part) - MAX_COLUMNS_SHOWN:,} more columns "
                "(jobmap.inspect(...)['columns'] in Python lists them all)."
            )
        rows = info[f"sample:{name}"]
        if len(rows):
            preferred = [c for c in SAMPLE_COLUMNS if c in rows.columns]
            shown = preferred if len(preferred) >= 3 else list(rows.columns[:6])
            s = Table(
                title=f"{name}: {len(rows)} sample rows"
                + (
                    f" ({len(shown)} of {rows.shape[1]} columns)"
                    if rows.shape[1] > len(shown)
                    else ""
                ),
                title_justify="left",
                title_style="dim",
            )
            col_w = max(6, (out.width - 1) // len(shown) - 3)
            for c in shown:
                s.add_column(str(c), overflow="ellipsis", no_wrap=True, max_width=col_w)
            for rec in rows[shown].itertuples(index=False):
                s.add_row(*[_fmt(v, 30) for v in rec])
            out.print(s)
    if ds.notes:
        out.print("[bold]Notes[/]")
        for note in ds.notes:
            out.print(f"  - {escape(note)}")


@main.command()
@click.argument("n", type=click.IntRange(min=1))
@data_options
@click.option("--seed", default=0, show_default=True, help="Random seed: same seed, same rows.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder (Kaggle layouts) or file (single-file sources) to write.",
)
@overwrite_option
def sample(
    n: int,
    data: Path | None,
    cache_dir: Path | None,
    columns: tuple[str, ...],
    encoding: str,
    seed: int,
    out: Path,
    overwrite: bool,
) -> None:
    """Write N random postings and their side-table rows, in the source's own layout."""
    from jobmap.data import load
    from jobmap.data.sample import sample as sample_fn

    mapping = parse_column_mapping(columns)
    total = load(data, columns=mapping, cache_dir=cache_dir, encoding=encoding).rows("postings")
    path = sample_fn(
        data,
        n,
        out,
        seed=seed,
        columns=mapping,
        cache_dir=cache_dir,
        overwrite=overwrite,
        encoding=encoding,
    )
    click.echo(f"Wrote {min(n, total):,} postings (seed {seed}) to {path}")


@main.command()
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to save linkedin-job-postings.zip in.",
)
@click.option("--force", is_flag=True, help="Download again even if the zip is there.")
def download(dest: Path, force: bool) -> None:
    """Download the Kaggle LinkedIn dataset (needs the kaggle client and credentials)."""
    from jobmap.data.download import download as download_fn

    path = download_fn(dest, force=force)
    click.echo(f"Saved {path}. Use it with: jobmap inspect --data {path}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
