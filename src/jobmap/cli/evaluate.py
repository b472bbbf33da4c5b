"""``jobmap evaluate`` (and ``--simulate-review``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jobmap.cli.app import main
from jobmap.cli.options import GreedyCommand, _settings, overwrite_option, run_options
from jobmap.cli.render import _fmt
from jobmap.errors import ConfigError
from jobmap.methods import METHODS


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
    "--all-or-nothing",
    is_flag=True,
    help="With --simulate-review: answer a phrase or occupation question for all its titles "
    "by the majority of their labels [default: with exceptions, the titles its card lists "
    "whose labels say the other answer unticked, as a careful person does on the page].",
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
    all_or_nothing: bool,
    save_thresholds: bool,
    overwrite: bool,
    **params: Any,
) -> None:
    """Measure methods against labelled postings: precision, recall, F1, average precision, the
    F1-best threshold and the one reaching --target-precision, confusion counts and the worst
    errors, beside the family's keyword rule; writes a precision-recall plot."""
    from jobmap.outputs import file_name
    from jobmap.runs import evaluate as evaluate_run
    from jobmap.runs import simulate as simulate_run

    if simulate is not None:
        if len(methods) > 1:
            raise ConfigError("--simulate-review: give one --method (the one the review re-fits).")
        settings = _settings(family, methods[0] if methods else "auto", params, threshold)
        _render_simulation(
            simulate_run(
                labels,
                simulate,
                settings=settings,
                out=out,
                overwrite=overwrite,
                partial=not all_or_nothing,
            ),
            family,
        )
        return
    compared = list(methods) or ["auto"]
    result = evaluate_run(
        labels=labels,
        methods=compared,
        target_precision=target_precision,
        folds=folds,
        # a name made of the family's, in the current folder: never a path ("../../x/y")
        plot=plot or Path(f"eval-{file_name(family)}.png"),
        default_plot=plot is None,
        out=out,
        save_thresholds=save_thresholds,
        overwrite=overwrite,
        settings=_settings(family, compared[0], params, threshold),
    )
    _render_evaluation(result, family, target_precision)


def _render_evaluation(result: Any, family: str, target_precision: float) -> None:
    summary = result.summary
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
    if result.notes:
        con.print(escape("Note: " + "; ".join(result.notes) + "."))
    errors = result.errors
    if len(errors):
        e = Table(title="Worst errors", title_justify="left")
        e.add_column("method", no_wrap=True, min_width=8)
        e.add_column("error", no_wrap=True, min_width=14)
        e.add_column("score", justify="right", no_wrap=True, min_width=5)
        e.add_column("title", overflow="ellipsis", no_wrap=True, max_width=max(20, con.width - 40))
        for r in errors.to_dict("records"):
            e.add_row(escape(r["method"]), r["error"], f"{r['score']:.3f}", _fmt(r["title"], 90))
        con.print(e)
    if result.out is not None:
        from jobmap.outputs import manifest_path

        con.print(escape(f"Table: {result.out} (manifest: {manifest_path(result.out)})"))
    if result.plot is not None:
        con.print(escape(f"Precision-recall plot: {result.plot}"))
    if result.saved_in is not None:
        saved = ", ".join(f"{k} {v:.3f}" for k, v in result.saved.items())
        con.print(escape(f"Saved thresholds ({saved}) with family {family!r} in {result.saved_in}"))


def _render_simulation(result: Any, family: str) -> None:
    curve = result.curve
    con = Console(highlight=False)
    t = Table(title=f"{family}: simulated review on {result.labelled:,} labelled postings")
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
    for note in result.notes:
        con.print(escape(note))
    if result.out is not None:
        con.print(escape(f"Curve: {result.out}"))
