"""The options commands share (data, a run's settings, families, answers, overwrite), and the
one place a command's options become :class:`~jobmap.config.Settings`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from jobmap.cli.app import F
from jobmap.config import ANSWERS_ENV, CACHE_ENV, DEFAULT_SEED, FAMILIES_ENV, Settings
from jobmap.methods import METHODS


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
    envvar=FAMILIES_ENV,
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
    envvar=ANSWERS_ENV,
    show_envvar=True,
    help="The answers database (SQLite) [default: answers.sqlite in the per-user data folder]. "
    "A family's answers decide the postings they cover.",
)


batch_size_option = click.option(
    "--batch-size",
    default=64,
    show_default=True,
    type=click.IntRange(min=1),
    help="Texts per model call.",
)


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
            default=DEFAULT_SEED,
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
        batch_size_option,
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


def method_option(help_text: str) -> Callable[[F], F]:
    """``--method`` (one method, ``auto`` by default), with the command's own help."""
    return click.option(
        "--method",
        default="auto",
        show_default=True,
        type=click.Choice(list(METHODS)),
        help=help_text,
    )
