"""The ``jobmap`` command: a thin layer over the library. Every command is a few lines over a
public function; library errors become one ``Error: ...`` line and exit code 1."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jobmap._version import __version__
from jobmap.config import CACHE_ENV, Settings, parse_column_mapping
from jobmap.errors import ConfigError, DataWarning, JobmapError
from jobmap.methods import METHODS, method_class

F = TypeVar("F", bound=Callable[..., Any])

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
DEBUG_ENV = "JOBMAP_DEBUG"
#: Columns listed per table by ``inspect`` (a file may have 100,000).
MAX_COLUMNS_SHOWN = 200
#: Postings columns worth a glance in ``inspect``'s sample rows (the table has ~30).
SAMPLE_COLUMNS = ("job_id", "title", "company_name", "location", "annual_salary", "listed_time")


def _show_warning(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
    if issubclass(category, DataWarning):
        err_console.print(f"[yellow]Warning:[/] {escape(str(message))}", markup=True)
    else:
        err_console.print(f"[dim]{category.__name__}: {escape(str(message))}[/]", markup=True)


class JobmapGroup(click.Group):
    """Turns library errors into one line on stderr instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except JobmapError as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Error: interrupted; nothing half-written was kept.", err=True)
            ctx.exit(130)
        except click.UsageError as exc:
            # a known cause like any other: one line, exit 1 (exit 2 is left for bugs)
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            message = " ".join(exc.format_message().split())
            click.echo(f"Error: {message} (see {where} --help)", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {exc}. This is a bug in jobmap; run "
                f"again with {DEBUG_ENV}=1 for the details and report them.",
                err=True,
            )
            ctx.exit(2)


class _DataPath(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 only
    """A path to read data from; never empty (an unset ``$VAR`` would be the current folder,
    searched below for a dataset)."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            return value
        if not str(value).strip():
            self.fail("is empty. Give the Kaggle zip, its folder, or a postings file.", param, ctx)
        return Path(value)


DATA_PATH = _DataPath()


def data_options(f: F) -> F:
    """The options every command that reads data takes."""
    f = click.option(
        "--encoding",
        default="utf-8",
        show_default=True,
        help="Text encoding of CSV files (cp1252 or latin-1 for files from spreadsheets).",
    )(f)
    f = click.option(
        "--columns",
        "columns",
        multiple=True,
        metavar="NAME=COLUMN",
        help='Map a column of your file to jobmap\'s name, e.g. --columns title="Job Title". '
        "Repeatable. Common names (title, job_title, Job Title, description, job_summary, "
        "id, ...) are found without it.",
    )(f)
    f = click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=CACHE_ENV,
        show_envvar=True,
        help="Where converted datasets are cached [default: the per-user cache folder].",
    )(f)
    f = click.option(
        "--data",
        type=DATA_PATH,
        default=None,
        help="The Kaggle zip, its unzipped folder (2024 or 2023 layout), or a CSV/parquet file "
        "of postings [default: the bundled 665-posting sample].",
    )(f)
    return f


families_option = click.option(
    "--families",
    "families_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="JOBMAP_FAMILIES",
    show_envvar=True,
    help="A TOML file of your own families, read after the built-in and per-user ones "
    "(format in the README).",
)


overwrite_option = click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the output files if they exist (never an input of the run).",
)


answers_option = click.option(
    "--answers",
    "answers",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="JOBMAP_ANSWERS",
    show_envvar=True,
    help="The answers database (SQLite) [default: answers.sqlite in the per-user data folder]. "
    "A family's answers decide the postings they cover.",
)


@click.group(cls=JobmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jobmap")
def main() -> None:
    """Find every posting of a job family (ML/AI first) in job-posting datasets.

    Start with `jobmap inspect` to see what a dataset holds.
    """


def _fmt(value: Any, width: int = 40) -> str:
    """A data value for a rich table: one line, at most ``width`` characters, markup escaped
    (a title such as "[remote] Data Scientist" must show as it is)."""
    # a list or struct cell of a parquet file (an array, a dict) is shown, never tested as NA
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    text = " ".join(str(value).split())
    return escape(text if len(text) <= width else text[: width - 1] + "…")


def _relative(label: str, ds: Any) -> str:
    """A source file as a path inside the dataset (``jobs/benefits.csv``), to keep tables narrow."""
    base = str(ds.source).rstrip("/") + "/"
    if label.startswith(base):
        return label[len(base) :]
    zip_prefix = str(ds.source) + ":"
    return label[len(zip_prefix) :] if label.startswith(zip_prefix) else label


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
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
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


def _score_table(title: str, df: pd.DataFrame, evidence: tuple[str, ...], width: int) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("score", justify="right", no_wrap=True)
    t.add_column("title", overflow="ellipsis", no_wrap=True, max_width=max(20, width // 2 - 8))
    for column in evidence:
        t.add_column(
            column.replace("_", " "),
            overflow="ellipsis",
            no_wrap=True,
            max_width=max(16, width // 2 - 8),
        )
    for rec in df.to_dict("records"):
        t.add_row(
            f"{rec['score']:.3f}", _fmt(rec["title"], 80), *[_fmt(rec[c], 80) for c in evidence]
        )
    return t


def run_options(f: F) -> F:
    """Options of every command that fits a method: data, model, families, method arguments."""
    options = [
        click.option("--quiet", is_flag=True, help="No progress bars and no summary."),
        click.option(
            "--anchor-sample",
            type=click.IntRange(min=1),
            default=None,
            help="anchors: look for anchors in a random sample of N postings (the notebook: "
            "10000).",
        ),
        click.option(
            "--anchor",
            "anchors",
            multiple=True,
            metavar="TITLE_OR_JOB_ID",
            help="anchors: an anchor title, or the job_id of a posting. Repeatable. [default: the "
            "postings whose titles contain one of the family's anchor phrases]",
        ),
        click.option(
            "--min-cluster-size",
            type=click.IntRange(min=2),
            default=None,
            help="cluster, hdbscan: smallest group that counts as a cluster [default: 10].",
        ),
        click.option(
            "--algorithm",
            type=click.Choice(["kmeans", "hdbscan"]),
            default=None,
            help="cluster: k-means or HDBSCAN (density-based, no K) [default: kmeans].",
        ),
        click.option(
            "--k",
            "k",
            default=None,
            metavar="K|auto",
            help="cluster, kmeans: number of clusters, or auto (best silhouette on a sample; "
            "the curve is printed) [default: 30]; knn: neighbours that vote [default: 10].",
        ),
        click.option(
            "--topics",
            "n_topics",
            type=click.IntRange(min=2),
            default=None,
            help="lda: number of topics [default: 30, as the notebook].",
        ),
        click.option(
            "--seed",
            default=567,
            show_default=True,
            help="Random seed (anchor sample, LDA, k-means), as the notebook's.",
        ),
        families_option,
        answers_option,
        click.option(
            "--no-answers",
            is_flag=True,
            help="Leave the family's answers out: the method alone decides every posting.",
        ),
        click.option(
            "--engine",
            type=click.Choice(["local", "ray"]),
            default=None,
            envvar="JOBMAP_ENGINE",
            help="Where the postings are scored: local (this process, in batches of "
            "$JOBMAP_BATCH_ROWS rows) or ray (a Ray cluster: $RAY_ADDRESS, else a local one; "
            "pip install 'jobmap[ray]') [default: local].",
        ),
        click.option(
            "--batch-size",
            default=64,
            show_default=True,
            type=click.IntRange(min=1),
            help="Texts per model call.",
        ),
        click.option(
            "--device", default=None, help="cpu, cuda, cuda:1 ... [default: cuda if present]."
        ),
        click.option(
            "--backend",
            default="torch",
            show_default=True,
            type=click.Choice(["torch", "onnx"]),
            help="Inference backend (onnx needs sentence-transformers[onnx]).",
        ),
        click.option(
            "--model",
            default="all-MiniLM-L6-v2",
            show_default=True,
            help="Embedding model: all-MiniLM-L6-v2 (bundled, offline), fast (model2vec distilled "
            "from it: ~100x faster), a local sentence-transformers folder, or a hub name (needs "
            "network).",
        ),
        data_options,
    ]
    for option in options:
        f = option(f)
    return f


def _method_options(params: dict[str, Any]) -> dict[str, Any]:
    """The method options of :func:`run_options` (removed from ``params``), as given."""
    k = params.pop("k", None)
    if k is not None and k != "auto":
        try:
            k = int(k)
        except ValueError:
            raise click.BadParameter(
                f"{k!r}: give a whole number or auto.", param_hint="--k"
            ) from None
    anchors = params.pop("anchors", None)
    found = {
        "anchors": list(anchors) if anchors else None,
        "anchor_sample": params.pop("anchor_sample", None),
        "n_topics": params.pop("n_topics", None),
        "k": k,
        "algorithm": params.pop("algorithm", None),
        "min_cluster_size": params.pop("min_cluster_size", None),
    }
    return {key: value for key, value in found.items() if value is not None}


def _settings(
    family: str, method: str, params: dict[str, Any], threshold: float | None = None
) -> Settings:
    """The one :class:`~jobmap.config.Settings` of a command, from the options of
    :func:`run_options`."""
    return Settings.build(
        family,
        params["data"],
        method=method,
        options=_method_options(dict(params)),
        threshold=threshold,
        model=params["model"],
        backend=params["backend"],
        device=params["device"],
        batch_size=params["batch_size"],
        families=params["families_file"],
        seed=params["seed"],
        cache_dir=params["cache_dir"],
        answers=params.get("answers"),
        use_answers=not params.get("no_answers", False),
        columns=params["columns"],
        encoding=params["encoding"],
        progress=not params["quiet"],
        engine=params.get("engine"),
    )


def _print_curve(con: Console, params: dict[str, Any]) -> None:
    curve = params.get("k_curve") or []
    if curve:
        t = Table(title="K by silhouette (cosine, on a sample)", title_justify="left")
        t.add_column("K", justify="right")
        t.add_column("silhouette", justify="right")
        best = max(curve, key=lambda kv: kv["silhouette"])["k"]
        for point in curve:
            mark = "  <- chosen" if point["k"] == best else ""
            t.add_row(str(point["k"]), f"{point['silhouette']:.4f}{mark}")
        con.print(t)


@main.command()
@click.argument("family")
@click.option(
    "--method",
    default="auto",
    show_default=True,
    type=click.Choice(list(METHODS)),
    help="How postings are scored: auto (picks for the data and says which), keywords (the "
    "family's rule), hybrid (rule + description evidence), bootstrap (anchors grown into a rule "
    "and a head, for families without labels), head (trained on examples), knn, "
    "anchors (the notebook's method c), lda (method a), cluster (method b).",
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Score at or above which a posting matches [default: the family's calibrated "
    "threshold, else one the method learns without labels (cluster), else the method's "
    "(anchors 0.85, lda 0.8, others 0.5)].",
)
@click.option(
    "--all", "all_rows", is_flag=True, help="Write every posting with its score, not only matches."
)
@click.option(
    "--raw",
    is_flag=True,
    help="Write CSV cells exactly as in the data (by default a cell that a spreadsheet would run "
    "as a formula, =... +... -... @..., starts with ').",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rows to FILE.csv or FILE.parquet, and the run manifest beside it "
    "(FILE.manifest.json).",
)
@overwrite_option
@run_options
def find(
    family: str,
    method: str,
    threshold: float | None,
    all_rows: bool,
    raw: bool,
    out: Path | None,
    overwrite: bool,
    **params: Any,
) -> None:
    """Find the postings of FAMILY (e.g. ml-ai): score every posting, keep those at or above the
    threshold, and print a summary with the postings just above and below it."""
    from jobmap.finder import run_find
    from jobmap.outputs import manifest_path

    quiet = params["quiet"]
    run = run_find(
        settings=_settings(family, method, params, threshold),
        all=all_rows,
        out=out,
        raw=raw,
        overwrite=overwrite,
    )
    if out is not None:
        rows = len(run.scored) if all_rows else int(run.scored["match"].sum())
        click.echo(f"Wrote {rows:,} rows to {out} and the manifest to {manifest_path(out)}")
    if quiet:
        return
    con = Console(highlight=False)
    s = run.summary()
    line = run.describe()
    con.print(f"[bold]{escape(family)}[/]{escape(line[len(family) :])}", soft_wrap=True)
    answered = run.manifest["counts"]["answered"]
    if answered:
        con.print(
            escape(
                f"{answered:,} postings decided by the family's answers "
                f"({run.manifest['answers']['standing']:,} in {run.manifest['answers']['path']})"
            ),
            soft_wrap=True,
        )
    _print_curve(con, run.manifest["parameters"])
    evidence = run.method.evidence_columns
    if len(s["top_titles"]):
        t = Table(title="Most common matching titles", title_justify="left")
        t.add_column("postings", justify="right")
        t.add_column("title", overflow="ellipsis", no_wrap=True)
        for rec in s["top_titles"].to_dict("records"):
            t.add_row(f"{rec['postings']:,}", _fmt(rec["title"], 200))
        con.print(t)
    for title, key in (
        ("Just above the threshold (matches)", "just_above"),
        ("Just below the threshold (not matched)", "just_below"),
    ):
        if len(s[key]):
            con.print(_score_table(title, s[key], evidence, con.width))


@main.command()
@click.argument("family", default="ml-ai")
@run_options
def topics(family: str, **params: Any) -> None:
    """Fit (or load) the LDA topic model of a dataset and print every topic with its size and top
    words; FAMILY's topic (where its probe text lands) is marked. The model is saved in the
    cache."""
    from jobmap.finder import run_find

    quiet = params["quiet"]
    run = run_find(settings=_settings(family, "lda", params))
    topics_table = run.method.topics()  # type: ignore[attr-defined]
    table = topics_table.sort_values("postings", ascending=False)
    table["share"] = [f"{100 * v:.1f}%" for v in table["share"]]
    title = f"{len(table)} topics over {int(table['postings'].sum()):,} postings"
    con = Console(highlight=False)
    con.print(_marked_table(title, table, family, ["topic", "postings", "share", "top_words"]))
    p = run.manifest["parameters"]
    if not quiet and not p.get("descriptions"):
        con.print("Note: this data has no descriptions; topics are fitted on titles alone.")
    _print_model_file(con, p, run.manifest["fit"]["from_cache"])


@main.command()
@click.argument("family", default="ml-ai")
@run_options
def clusters(family: str, **params: Any) -> None:
    """Cluster the title embeddings of a dataset and list the clusters with their size and most
    central titles; FAMILY's clusters (where its probe and anchors fall) are marked."""
    from jobmap.finder import run_find

    run = run_find(settings=_settings(family, "cluster", params))
    p = run.manifest["parameters"]
    con = Console(highlight=False)
    _print_curve(con, p)
    title = f"{p['clusters']} clusters ({p['algorithm']})"
    columns = ["cluster", "postings", "titles", "central_titles"]
    con.print(_marked_table(title, run.method.clusters(), family, columns))  # type: ignore[attr-defined]
    _print_model_file(con, p, run.manifest["fit"]["from_cache"])


def _marked_table(title: str, df: pd.DataFrame, family: str, columns: list[str]) -> Table:
    """A table of topics or clusters; the first column marks the family's rows."""
    t = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        last = i == len(columns) - 1
        t.add_column(
            column.replace("_", " "),
            justify="left" if last else "right",
            overflow="fold" if last else "ellipsis",
        )
    for rec in df.to_dict("records"):
        cells = [
            f"{v:,}" if isinstance(v, (int, np.integer)) else _fmt(v, 500)
            for v in (rec[c] for c in columns)
        ]
        if rec["family"]:
            cells[0] += f" <- {escape(family)}"
        t.add_row(*cells)
    return t


def _print_model_file(con: Console, params: dict[str, Any], fit_cached: bool) -> None:
    cached = " (from the cache)" if params["model_from_cache"] or fit_cached else ""
    con.print(escape(f"Model: {params['model_file']}{cached}"), soft_wrap=True)


class GreedyCommand(click.Command):
    """Lets ``--method`` take several values at once: ``--method anchors lda cluster``."""

    greedy = ("--method",)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        out: list[str] = []
        current: str | None = None
        for arg in args:
            if arg in self.greedy:
                current = arg
                continue
            if current is not None and not arg.startswith("-"):
                out += [current, arg]
                continue
            current = None
            out.append(arg)
        return super().parse_args(ctx, out)


@main.command(cls=GreedyCommand)
@click.argument("family")
@click.option(
    "--labels",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV or parquet with job_id,label or title,label (yes/no/unsure or 1/0; unsure is "
    "left out). Without --data, title labels are evaluated on their own titles.",
)
@click.option(
    "--method",
    "methods",
    multiple=True,
    type=click.Choice(list(METHODS)),
    help="Methods to compare, one or more (--method anchors lda cluster auto) "
    "[default: auto]. The keyword rule is always in the table.",
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Threshold for the methods compared (not the keyword baseline) [default: "
    "each method's, as in find].",
)
@click.option(
    "--target-precision",
    default=0.95,
    show_default=True,
    type=float,
    help="Report the threshold that reaches this precision, and its recall.",
)
@click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(min=2),
    help="Cross-validation folds for the methods that learn from labels (head, knn).",
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the precision-recall plot [default: "
    "eval-FAMILY.png in the current folder].",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the comparison table to FILE.csv.",
)
@click.option(
    "--simulate-review",
    "simulate",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Simulate a review instead: from the family with no answers (a temporary answers "
    "store), answer the queue's next question N times from the labels, re-fit as the page "
    "does, and print precision, recall and F1 after each answer, beside questions taken in "
    "random order. --out writes the curve as CSV.",
)
@click.option(
    "--save-thresholds",
    is_flag=True,
    help="Store each compared method's F1-best threshold (out-of-fold for head and knn) with "
    "the family, so find uses it; a built-in family is copied into your families file. Not "
    "for keywords, hybrid and auto, whose matches the rule decides.",
)
@overwrite_option
@run_options
def evaluate(
    family: str,
    labels: Path,
    methods: tuple[str, ...],
    threshold: float | None,
    target_precision: float,
    folds: int,
    plot: Path | None,
    out: Path | None,
    simulate: int | None,
    save_thresholds: bool,
    overwrite: bool,
    **params: Any,
) -> None:
    """Measure methods against labelled postings: precision, recall, F1, average precision, the
    F1-best threshold and the one reaching --target-precision, confusion counts and the worst
    errors, beside the family's keyword rule; writes a precision-recall plot."""
    from jobmap.evaluate import evaluate as evaluate_fn
    from jobmap.finder import check_out, run_inputs
    from jobmap.outputs import file_name, manifest_path

    if simulate is not None:
        _simulate(family, labels, simulate, out, methods, threshold, params, overwrite)
        return
    # a name made of the family's, in the current folder: never a path ("../../x/y")
    plot = plot or Path(f"eval-{file_name(family)}.png")
    compared = list(methods) or ["auto"]
    if save_thresholds and all(method_class(m).rule_decides for m in compared):
        decided = ", ".join(m for m, c in METHODS.items() if c.rule_decides)
        raise ConfigError(
            "--save-thresholds: no method to calibrate among those compared (the rule decides "
            f"{decided}); add one with --method, e.g. --method head anchors."
        )
    settings = _settings(family, compared[0], params, threshold)
    inputs = [*run_inputs(settings), labels]
    # writable, and replacing nothing unasked, before any work (evaluate checks the plot)
    check_out(out, suffixes=(".csv",), overwrite=overwrite, inputs=inputs)
    result = evaluate_fn(
        labels=labels,
        methods=compared,
        target_precision=target_precision,
        folds=folds,
        plot=plot,
        settings=settings,
        overwrite=overwrite,
    )
    summary = result["summary"]
    con = Console(highlight=False)
    t = Table(
        title=f"{family}: {summary['labelled'].iloc[0]:,} labelled postings, "
        f"{summary['positives'].iloc[0]:,} in the family",
        title_justify="left",
    )
    t.add_column("method", overflow="fold")
    for col in ("threshold", "P", "R", "F1", "AP", "TP/FP/FN"):
        t.add_column(col, justify="right", no_wrap=True)
    u = Table(title="Thresholds to consider", title_justify="left")
    u.add_column("method", overflow="fold")
    u.add_column("best F1 (at threshold)", justify="right", no_wrap=True)
    u.add_column(f"precision >= {target_precision:g} at (recall)", justify="right", no_wrap=True)
    for r in summary.to_dict("records"):
        name = r["method"] + (f" -> {r['picked']}" if r["picked"] else "")
        name += " (CV)" if r["cross_validated"] else ""
        name += " [baseline]" if r["method"] == "keywords" else ""
        reached = r["threshold_at_target_precision"] == r["threshold_at_target_precision"]
        at_target = (
            f"{r['threshold_at_target_precision']:.2f} ({r['recall_at_target_precision']:.2f})"
            if reached
            else "not reached"
        )
        t.add_row(
            escape(name),
            f"{r['threshold']:.2f} {r['threshold_from']}",
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['f1']:.3f}",
            f"{r['average_precision']:.3f}",
            f"{r['tp']}/{r['fp']}/{r['fn']}",
        )
        u.add_row(escape(name), f"{r['best_f1']:.3f} ({r['best_f1_threshold']:.2f})", at_target)
    con.print(t)
    con.print(u)
    notes = []
    if summary.attrs.get("unsure_labels"):
        notes.append(f"{summary.attrs['unsure_labels']:,} unsure labels left out")
    if summary.attrs.get("unknown_labels"):
        notes.append(f"{summary.attrs['unknown_labels']:,} labelled ids not in the data, left out")
    if summary.attrs.get("answered_labels"):
        notes.append(
            f"{summary.attrs['answered_labels']:,} of the labelled postings are decided by your "
            f"answers for {family} (scored as answered); --no-answers measures the methods "
            "without them"
        )
    if notes:
        con.print("Note: " + "; ".join(notes) + ".")
    errors = result["errors"]
    if len(errors):
        e = Table(title="Worst errors", title_justify="left")
        e.add_column("method", no_wrap=True, min_width=8)
        e.add_column("error", no_wrap=True, min_width=14)
        e.add_column("score", justify="right", no_wrap=True, min_width=5)
        e.add_column("title", overflow="ellipsis", no_wrap=True, max_width=max(20, con.width - 40))
        for r in errors.to_dict("records"):
            e.add_row(escape(r["method"]), r["error"], f"{r['score']:.3f}", _fmt(r["title"], 90))
        con.print(e)
    if out is not None:
        from jobmap.outputs import write_json, write_table

        write_table(summary, out)
        write_json(manifest_path(out), summary.attrs["manifest"])
        con.print(escape(f"Table: {out} (manifest: {manifest_path(out)})"))
    con.print(escape(f"Precision-recall plot: {plot}"))
    if save_thresholds:
        from jobmap.families import save_thresholds as save

        best = {
            r["method"]: float(r["best_f1_threshold"])
            for r in summary.to_dict("records")
            if not r["rule_decides"] and np.isfinite(r["best_f1_threshold"])
        }
        path = save(family, best, params["families_file"])
        saved = ", ".join(f"{k} {v:.3f}" for k, v in best.items())
        con.print(escape(f"Saved thresholds ({saved}) with family {family!r} in {path}"))


def _simulate(
    family: str,
    labels: Path,
    n: int,
    out: Path | None,
    methods: tuple[str, ...],
    threshold: float | None,
    params: dict[str, Any],
    overwrite: bool,
) -> None:
    from jobmap.data.labels import join_labels, read_labels
    from jobmap.finder import check_out, run_inputs
    from jobmap.pipeline import Pipeline
    from jobmap.review import simulate_review

    if len(methods) > 1:
        raise ConfigError("--simulate-review: give one --method (the one the review re-fits).")
    settings = _settings(family, methods[0] if methods else "auto", params, threshold)
    inputs = [*run_inputs(settings), labels]
    check_out(out, suffixes=(".csv",), overwrite=overwrite, inputs=inputs)
    lab = read_labels(labels)
    dataset = Pipeline(settings).dataset
    labelled = join_labels(lab, dataset.postings)
    curve = simulate_review(settings, labelled[["job_id", "label"]], n, dataset=dataset)
    con = Console(highlight=False)
    t = Table(title=f"{family}: simulated review on {len(labelled):,} labelled postings")
    t.add_column("answers", justify="right")
    for order in curve["order"].unique():
        for metric in ("P", "R", "F1"):
            t.add_column(f"{order} {metric}", justify="right")
    wide = curve.set_index(["answers", "order"])
    for k in sorted(curve["answers"].unique()):
        cells = [str(k)]
        for order in curve["order"].unique():
            if (k, order) in wide.index:
                r = wide.loc[(k, order)]
                cells += [f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}"]
            else:
                cells += ["", "", ""]
        t.add_row(*cells)
    con.print(t)
    skipped = curve.attrs.get("skipped", {})
    if skipped:
        con.print(
            "Skipped (no labelled posting, or a tie): "
            + "; ".join(f"{order} {k} of {n}" for order, k in skipped.items())
            + ". A skip counts as an answer given."
        )
    if out is not None:
        from jobmap.outputs import write_table

        write_table(curve, out)
        con.print(escape(f"Curve: {out}"))


@main.command()
@click.argument("family", default="ml-ai")
@click.option(
    "--method",
    default="auto",
    show_default=True,
    type=click.Choice(list(METHODS)),
    help="How the family's postings are found (as in find).",
)
@click.option("--threshold", type=float, default=None, help="As in find.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML page to write (self-contained: works offline).",
)
@click.option(
    "--tables",
    "tables_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write every table of the page as CSV into this folder.",
)
@click.option(
    "--raw",
    is_flag=True,
    help="Write the --tables CSV cells exactly as in the data (by default a cell that a "
    "spreadsheet would run as a formula starts with ').",
)
@overwrite_option
@run_options
def report(
    family: str,
    method: str,
    threshold: float | None,
    out: Path,
    tables_dir: Path | None,
    raw: bool,
    overwrite: bool,
    **params: Any,
) -> None:
    """Write a page on what FAMILY's postings look like against all the others: salaries,
    titles, companies, industries, skills, benefits, locations, remote share, experience, work
    types, time and company size, with every chart's sample size."""
    from jobmap.report import report as report_fn

    tables = report_fn(
        out=out,
        tables_dir=tables_dir,
        raw=raw,
        overwrite=overwrite,
        settings=_settings(family, method, params, threshold),
    )
    click.echo(
        f"Wrote {out} ({len(tables) - 1} tables)"
        + (f" and the tables to {tables_dir}" if tables_dir else "")
    )
    for note in tables["notes"]["note"]:
        click.echo(f"Note: {note}")


@main.command()
@click.argument("family", default="ml-ai")
@click.option(
    "--method",
    default="auto",
    show_default=True,
    type=click.Choice(list(METHODS)),
    help="The method re-fitted after each answer (as in find).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Where to listen.")
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="[default: a free one]")
@click.option("--no-browser", is_flag=True, help="Print the URL only; do not open a browser.")
@run_options
def review(family: str, method: str, host: str, port: int, no_browser: bool, **params: Any) -> None:
    """Open a local page that asks you about FAMILY's postings, one key per answer (y/n/s,
    Backspace to undo), re-fits the family after each answer and exports it. Answers are saved
    as you give them."""
    from jobmap.answers import AnswerStore
    from jobmap.review import ReviewSession
    from jobmap.web import serve
    from jobmap.web.server import listen

    if params.get("no_answers"):
        raise ConfigError("--no-answers: a review is made of answers; leave it out here.")
    sock = listen(host, port)  # a port in use is said now, not after the first fit
    settings = _settings(family, method, params)
    store = AnswerStore(settings.answers)
    click.echo(f"Answers: {store.path}")
    session = ReviewSession(settings, store, background=True)
    serve(session, host=host, sock=sock, open_browser=not no_browser)


@main.group()
def answers() -> None:
    """Export and import a family's answers (the label format evaluate reads)."""


@answers.command("export")
@click.argument("family")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The labels CSV to write.",
)
@overwrite_option
@answers_option
@data_options
def answers_export(
    family: str,
    out: Path,
    overwrite: bool,
    answers: Path | None,
    data: Path | None,
    cache_dir: Path | None,
    columns: tuple[str, ...],
    encoding: str,
) -> None:
    """Write FAMILY's answers as labels (job_id,title,label): every posting they decide in
    --data; without --data, each answer about a posting by its job id and each answer about a
    title by its title (phrase answers need the data)."""
    from jobmap.answers import AnswerStore, export_labels, resolve_answers_path
    from jobmap.data.sources import detect
    from jobmap.families import get_family
    from jobmap.outputs import check_file, write_table

    path = resolve_answers_path(answers)
    inputs = [path, *(detect(data).disk_files if data is not None else [])]
    check_file(out, suffixes=(".csv",), overwrite=overwrite, inputs=inputs)
    if not path.is_file():
        raise ConfigError(f"--answers {path}: no answers database there yet.")
    given = AnswerStore(path).current(family)
    postings = None
    if data is not None:
        from jobmap.data import load

        ds = load(
            data, columns=parse_column_mapping(columns), cache_dir=cache_dir, encoding=encoding
        )
        postings = ds.postings
    if not given:
        known = AnswerStore(path).families()
        warnings.warn(
            f"no answers for {family!r} in {path}"
            + (f" (it holds answers for {', '.join(map(repr, known))})" if known else "")
            + "; the file has a header alone.",
            DataWarning,
            stacklevel=1,
        )
    protect = get_family(family).rule_phrases() if postings is not None else ()
    labels = export_labels(given, postings, protect)
    phrases = [a for a in given if a.kind == "phrase" and a.answer in ("yes", "no")]
    if postings is None and phrases:
        warnings.warn(
            f"{len(phrases)} answer(s) about phrases (first: {phrases[0].key!r}) become labels "
            "only with the data: pass --data to write the postings they decide.",
            DataWarning,
            stacklevel=1,
        )
    write_table(labels, out)
    click.echo(f"Wrote {len(labels):,} labels from {len(given):,} answers to {out}")


@answers.command("import")
@click.argument("family")
@click.argument("labels", type=click.Path(dir_okay=False, path_type=Path))
@answers_option
def answers_import(family: str, labels: Path, answers: Path | None) -> None:
    """Read a label file (job_id,label, title,label, or job_id,title,label as export writes
    it) into FAMILY's answers, as one batch (one undo takes it back)."""
    from jobmap.answers import AnswerStore, labels_as_answers
    from jobmap.data.labels import read_labels

    items = labels_as_answers(read_labels(labels, both_classes=False))  # may all say yes
    store = AnswerStore(answers)
    store.answer(family, items, source="import")
    click.echo(f"Imported {len(items):,} answers for {family!r} into {store.path}")


@main.group()
def family() -> None:
    """Manage job families (see also `jobmap families`)."""


@family.command("add")
@click.argument("name")
@click.option(
    "--anchors",
    "anchors",
    multiple=True,
    required=True,
    metavar="PHRASE",
    help="A phrase whose presence in a title marks the family. Repeatable.",
)
@click.option(
    "--examples",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV of title,label (yes/no): labelled example titles to learn from.",
)
@click.option(
    "--keywords",
    "keywords",
    multiple=True,
    metavar="PHRASE",
    help="A keyword rule phrase (whole words, * for any ending). Repeatable.",
)
@click.option("--title", default="", help="A human name for the family.")
@click.option("--replace", is_flag=True, help="Overwrite a family of the same name.")
@families_option
def family_add(
    name: str,
    anchors: tuple[str, ...],
    examples: Path | None,
    keywords: tuple[str, ...],
    title: str,
    replace: bool,
    families_file: Path | None,
) -> None:
    """Add the family NAME from a few anchor phrases (and optional examples or keywords); then
    `jobmap find NAME`."""
    from jobmap.families import add_family

    path = add_family(
        name,
        list(anchors),
        examples=examples,
        title=title,
        keywords=list(keywords) or None,
        families_file=families_file,
        replace=replace,
    )
    click.echo(f"Added family {name!r} to {path}. Try: jobmap find {name}")


@main.command()
@families_option
def families(families_file: Path | None) -> None:
    """List the job families jobmap knows, with their anchor phrases and where they come from."""
    from jobmap.families import load_families, user_families_file

    found = load_families(families_file)
    t = Table(title="Families", title_justify="left")
    for col in ("name", "title", "anchor phrases", "from"):
        t.add_column(col, overflow="fold")
    for fam in found.values():
        t.add_row(
            *(_fmt(v, 500) for v in (fam.name, fam.title, ", ".join(fam.anchors), fam.origin))
        )
    Console(highlight=False).print(t)
    click.echo(f"Your own families go in {user_families_file()} or a file given with --families.")


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
