"""Every file jobmap writes for a user: checked before the work starts, written whole or not at
all, and never over what jobmap did not write unless asked.

The rules, in one place:

* **Checked first.** The name's ending, the folder (it must exist: jobmap creates no folders on
  the way), that it can be written: a typo never costs a run.
* **Nothing replaced unasked.** An existing output (or the manifest that goes beside it) is
  replaced only with ``overwrite`` (``--overwrite``); the error names the flag.
* **The input is never the output**, with or without ``overwrite``: the data files, the labels,
  the families file, the answers database.
* **A folder jobmap fills** (``sample --out DIR``, ``report --tables DIR``) lists what it wrote
  in ``.jobmap-files.json``; ``overwrite`` replaces or removes only those files, and a folder
  holding files jobmap did not write is refused rather than emptied.
* **Whole or nothing.** Each file is written under a temporary name and renamed
  (:func:`jobmap._atomic.atomic_path`); a failed write (a full disk) is one error naming the file,
  with nothing half-written left.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from jobmap._atomic import atomic_path
from jobmap._csv import write_csv
from jobmap.errors import ConfigError, StorageError

#: Where a folder jobmap fills lists the files it wrote there.
FOLDER_MANIFEST = ".jobmap-files.json"
#: How old a temporary file of a killed write must be before a later run removes it (a younger
#: one may belong to a run still writing).
STALE_SECONDS = 60.0

PathLike = str | os.PathLike[str]
#: The image formats a plot may be written as.
PLOT_SUFFIXES = (".png", ".svg", ".pdf", ".jpg", ".jpeg")


def file_name(text: str) -> str:
    """``text`` (a family's name) made a safe file name: letters, digits, ``-``, ``_`` and
    ``.`` kept, anything else (a ``/``, ``..``, a space) one ``_``; never empty or hidden.

    >>> file_name("../../x/y"), file_name("数据-ünï"), file_name("..")
    ('x_y', '数据-ünï', 'family')
    """
    name = re.sub(r"[^\w.-]+", "_", text).strip("._")
    return name or "family"


def manifest_path(out: PathLike) -> Path:
    """Where the manifest of an output file goes: ``m.csv`` -> ``m.manifest.json``."""
    p = Path(out)
    return p.with_name(p.stem + ".manifest.json")


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (a link or another spelling of the path included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.expanduser().resolve() == b.expanduser().resolve()


def within(child: Path, folder: Path) -> bool:
    """Whether ``child`` is ``folder`` or lies inside it."""
    c, f = child.expanduser().resolve(), folder.expanduser().resolve()
    return c == f or f in c.parents


def _refuse_inputs(option: str, target: Path, inputs: Iterable[Path]) -> None:
    for given in inputs:
        if same_file(target, Path(given)):
            raise ConfigError(
                f"{option} {target}: is an input of this run ({given}); jobmap never writes over "
                "its input. Choose another path."
            )


def cannot_write(folder: Path) -> str:
    """Why a file cannot be created in ``folder`` ("" if it can). The real test: root passes
    ``os.access`` everywhere."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".jobmap-probe-"):
            return ""
    except OSError as exc:
        return str(exc.strerror or exc)


def check_file(
    out: PathLike | None,
    *,
    suffixes: tuple[str, ...],
    option: str = "--out",
    overwrite: bool = False,
    inputs: Iterable[Path] = (),
    beside: Iterable[Path] = (),
) -> Path | None:
    """Fail before any work when ``out`` cannot or must not be written: a wrong ending, a
    missing or unwritable folder, a folder in its place, an existing file (or one of
    ``beside``, the files written next to it) without ``overwrite``, or an input of the run."""
    if out is None:
        return None
    if not Path(out).name.strip():  # "" (click makes it ".") or a folder's "."
        raise ConfigError(f"{option}: give a file name ending in {' or '.join(suffixes)}.")
    p = Path(out).expanduser()
    if p.suffix.lower() not in suffixes or p.name.lower() in suffixes:
        raise ConfigError(f"{option} {p}: end the name in {' or '.join(suffixes)}.")
    parent = p.parent if str(p.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise ConfigError(f"{option} {p}: {parent} is a file, not a folder. Choose another path.")
    if not parent.is_dir():
        raise ConfigError(f"{option} {p}: the folder {parent} does not exist. Create it first.")
    if p.is_dir():
        raise ConfigError(
            f"{option} {p}: is a folder. Give a file name ending in {' or '.join(suffixes)}."
        )
    targets = [p, *beside]
    inputs = list(inputs)
    for target in targets:
        _refuse_inputs(option, target, inputs)
    for target in targets:
        if target.exists() or target.is_symlink():
            if not overwrite:
                what = "exists" if target == p else f"would replace {target}, which exists"
                raise ConfigError(
                    f"{option} {p}: {what} already. Pass --overwrite to replace it, or choose "
                    "another path."
                )
            if not target.is_file():
                raise ConfigError(f"{option} {p}: {target} is not a plain file; remove it first.")
    why = cannot_write(parent)
    if why:
        raise ConfigError(
            f"{option} {p}: the folder {parent} is not writable ({why}). Choose another path."
        )
    return p


def written_here(folder: Path) -> set[str]:
    """The files (relative paths) jobmap lists as its own in ``folder``."""
    record = folder / FOLDER_MANIFEST
    if not record.is_file():
        return set()
    try:
        return {str(f) for f in json.loads(record.read_text(encoding="utf-8"))["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _files_in(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if not p.is_dir() and p.name != FOLDER_MANIFEST
    )


def check_folder(
    folder: PathLike | None,
    *,
    option: str,
    overwrite: bool = False,
    inputs: Iterable[Path] = (),
    create: bool = True,
) -> Path | None:
    """Fail before any work when jobmap must not fill ``folder``: it holds an input, it is
    not empty and ``overwrite`` is not given, or it holds files jobmap did not write (then
    not even with ``overwrite``: jobmap replaces only its own). ``create``: make the folder
    (its parent must exist)."""
    if folder is None:
        return None
    if not str(folder).strip():
        raise ConfigError(f"{option}: give a folder.")
    p = Path(folder).expanduser()
    for given in inputs:
        g = Path(given)
        # the folder holds an input, or lies in an input folder (a Kaggle layout's)
        if within(g, p) or (g.is_dir() and within(p, g)):
            raise ConfigError(
                f"{option} {p}: holds or is inside an input of this run ({g}); jobmap never "
                "writes over its input. Choose another folder."
            )
    if p.exists() and not p.is_dir():
        raise ConfigError(f"{option} {p}: is a file, not a folder. Choose a folder.")
    if p.is_dir():
        present = _files_in(p)
        foreign = [f for f in present if f not in written_here(p)]
        if foreign:
            raise ConfigError(
                f"{option} {p}: holds {len(foreign)} file(s) jobmap did not write (first: "
                f"{foreign[0]}); jobmap writes only into a new or empty folder, or one it filled "
                "before. Choose another folder."
            )
        if present and not overwrite:
            raise ConfigError(
                f"{option} {p}: holds {len(present)} file(s) jobmap wrote before. Pass "
                "--overwrite to replace them, or choose another folder."
            )
    elif create:
        if not (p.parent if str(p.parent) else Path(".")).is_dir():
            raise ConfigError(f"{option} {p}: the folder {p.parent} does not exist. Create it.")
        try:
            p.mkdir()
        except OSError as exc:
            raise ConfigError(
                f"{option} {p}: cannot write there ({exc.strerror or exc}). Choose another folder."
            ) from None
    if p.is_dir():
        why = cannot_write(p)
        if why:
            raise ConfigError(f"{option} {p}: cannot write there ({why}). Choose another folder.")
    return p


def record_folder(folder: Path, files: Iterable[str], command: str) -> None:
    """List ``files`` (relative paths) as jobmap's own in ``folder`` (with those listed before
    that are still there)."""
    kept = {f for f in written_here(folder) if (folder / f).exists()}
    listed = sorted(kept | set(files))
    with atomic_path(folder / FOLDER_MANIFEST) as tmp:
        tmp.write_text(
            json.dumps({"written_by": f"jobmap {command}", "files": listed}, indent=2),
            encoding="utf-8",
        )


def remove_written(folder: Path) -> int:
    """Remove the files jobmap lists as its own in ``folder`` (and the folders that become
    empty), never another; returns how many."""
    removed = 0
    for rel in sorted(written_here(folder)):
        target = folder / rel
        if not within(target, folder) or not target.is_file():
            continue  # a list edited by hand never reaches outside the folder
        target.unlink()
        removed += 1
        parent = target.parent
        while parent != folder and within(parent, folder) and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    (folder / FOLDER_MANIFEST).unlink(missing_ok=True)
    return removed


def remove_stale_temporaries(target: Path) -> int:
    """Remove what killed writes of ``target`` (and of its manifest) left behind: the hidden
    ``.NAME.<id>.tmp`` files of :func:`jobmap._atomic.atomic_path`. Returns how many."""
    removed = 0
    now = time.time()
    for name in (target.name, manifest_path(target).name):
        for tmp in target.parent.glob(f".{name}.*.tmp"):
            try:
                if now - tmp.stat().st_mtime >= STALE_SECONDS:
                    tmp.unlink()
                    removed += 1
            except OSError:
                continue
    return removed


@contextmanager
def output_errors(path: Path) -> Iterator[None]:
    """A failed write of an output (a full disk, a folder gone) is one clear error naming the
    path; the temporary file is already removed, so nothing half-written is left."""
    try:
        yield
    except OSError as exc:
        why = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        raise StorageError(
            f"cannot write {path} ({why}); nothing half-written was left. Free some space or "
            "choose another path, and run again."
        ) from None


def write_table(
    df: pd.DataFrame, path: Path, *, raw: bool = False, manifest: dict[str, Any] | None = None
) -> str:
    """Write rows as CSV (safe to open, see :mod:`jobmap._csv`, unless ``raw``) or parquet
    (which also carries ``manifest`` in its metadata), whole or not at all; returns the file's
    SHA-256, which a manifest records."""
    with output_errors(path), atomic_path(path) as tmp:
        if path.suffix.lower() == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df, preserve_index=False)
            meta = dict(table.schema.metadata or {})
            if manifest is not None:
                meta[b"jobmap_manifest"] = json.dumps(manifest, default=str).encode()
            pq.write_table(table.replace_schema_metadata(meta), tmp)
        else:
            write_csv(df, tmp, raw=raw)
        return hashlib.sha256(tmp.read_bytes()).hexdigest()


def write_output(
    df: pd.DataFrame, path: Path, manifest: dict[str, Any], *, raw: bool = False
) -> None:
    """Write a run's rows and then its manifest beside them (``m.csv`` -> ``m.manifest.json``),
    the rows' SHA-256 in ``manifest["output"]``: a run killed between the two leaves a pair
    that ``read_output`` refuses, never one that looks whole. What killed writes of the same
    output left behind goes first."""
    remove_stale_temporaries(path)
    output = manifest.setdefault("output", {})
    output["path"] = str(path)
    output["sha256"] = write_table(df, path, raw=raw, manifest=manifest)
    write_json(manifest_path(path), manifest)


def write_text(path: Path, text: str) -> None:
    """Write a text file (UTF-8) whole or not at all."""
    with output_errors(path), atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


#: What a PNG figure jobmap writes says in its "Software" text (see :func:`jobmap_figure`).
FIGURE_SOFTWARE = "jobmap"


def write_figure(path: Path, fig: Any) -> None:
    """Save a matplotlib figure whole or not at all, in the format its name says (a PNG says in
    its metadata that jobmap wrote it)."""
    kind = path.suffix.lower().lstrip(".") or "png"
    metadata = {"Software": FIGURE_SOFTWARE} if kind == "png" else None
    with output_errors(path), atomic_path(path) as tmp:
        fig.savefig(tmp, format=kind, metadata=metadata)


def jobmap_figure(path: Path) -> bool:
    """Whether ``path`` is a PNG figure jobmap wrote (:func:`write_figure`)."""
    try:
        from PIL import Image

        with Image.open(path) as image:
            return bool(image.info.get("Software") == FIGURE_SOFTWARE)
    except Exception:  # not an image, not readable: not one of jobmap's
        return False


def write_json(path: Path, data: Any) -> None:
    """Write a JSON file (a manifest) whole or not at all."""
    write_text(path, json.dumps(data, indent=2, default=str))


__all__ = [
    "FOLDER_MANIFEST",
    "PLOT_SUFFIXES",
    "cannot_write",
    "check_file",
    "check_folder",
    "file_name",
    "jobmap_figure",
    "manifest_path",
    "output_errors",
    "record_folder",
    "remove_stale_temporaries",
    "remove_written",
    "same_file",
    "within",
    "write_figure",
    "write_json",
    "write_output",
    "write_table",
    "write_text",
]
