"""Find out what the user pointed ``--data`` at and list the files to read.

Three kinds of source:

* ``kaggle-2024``: the current Kaggle layout (``postings.csv``, ``jobs/``, ``companies/``,
  ``mappings/``), as a folder or as the downloaded zip;
* ``kaggle-2023``: the older layout (``job_postings.csv``, ``job_details/``, ``company_details/``,
  ``maps/``), as a folder or a zip;
* ``file``: one postings file (CSV, TSV or parquet) from any other source.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Literal

from jobmap._atomic import atomic_path
from jobmap.data.schema import TABLES
from jobmap.errors import DataError

SourceKind = Literal["kaggle-2024", "kaggle-2023", "file"]

#: The file that tells each Kaggle layout apart.
LAYOUT_MARKERS: dict[str, SourceKind] = {
    "postings.csv": "kaggle-2024",
    "job_postings.csv": "kaggle-2023",
}
FILE_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class SourceFile:
    """One file to read: on disk, or a member of a zip on disk."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        """How messages name the file."""
        return f"{self.path}:{self.member}" if self.member else str(self.path)

    @property
    def size(self) -> int:
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as zf:
            return zf.getinfo(self.member).file_size

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Open for binary reading."""
        if self.member is None:
            with open(self.path, "rb") as fh:
                yield fh
        else:
            with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                yield fh


@dataclass
class Source:
    """What ``--data`` points at: its kind and the file of each table found."""

    origin: Path
    kind: SourceKind
    files: dict[str, SourceFile]
    missing: list[str] = field(default_factory=list)
    file_format: str = "csv"

    @property
    def disk_files(self) -> list[Path]:
        """Files on disk whose content decides the cache key."""
        return sorted({f.path for f in self.files.values()})


def _find_layout_in_dir(folder: Path) -> tuple[Path, SourceKind] | None:
    for marker, kind in LAYOUT_MARKERS.items():
        if (folder / marker).is_file():
            return folder, kind
    # A zip unzipped into a folder of its own: look one level down.
    subdirs = [p for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    for sub in subdirs:
        for marker, kind in LAYOUT_MARKERS.items():
            if (sub / marker).is_file():
                return sub, kind
    return None


def _kaggle_dir(root: Path, kind: SourceKind) -> Source:
    files: dict[str, SourceFile] = {}
    missing: list[str] = []
    for spec in TABLES:
        rel = spec.paths[kind]
        path = root / rel
        if path.is_file():
            files[spec.name] = SourceFile(path)
        else:
            missing.append(spec.name)
    return Source(origin=root, kind=kind, files=files, missing=missing)


def _kaggle_zip(path: Path) -> Source:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile:
        raise DataError(
            f"{path}: not a readable zip file (damaged or incomplete download). "
            "Download it again, or unzip it and pass the folder with --data."
        ) from None
    best: tuple[int, str, SourceKind] | None = None
    for name in names:
        pure = PurePosixPath(name)
        kind = LAYOUT_MARKERS.get(pure.name)
        if kind is None or "__MACOSX" in pure.parts:
            continue
        prefix = str(pure.parent) if str(pure.parent) != "." else ""
        depth = len(pure.parts)
        if best is None or depth < best[0]:
            best = (depth, prefix, kind)
    if best is None:
        raise DataError(
            f"{path}: the zip holds neither postings.csv (Kaggle 2024 layout) nor "
            "job_postings.csv (2023 layout). Pass the Kaggle 'linkedin-job-postings.zip' "
            "or a single postings file with --data FILE.csv."
        )
    _, prefix, kind = best
    present = set(names)
    files: dict[str, SourceFile] = {}
    missing: list[str] = []
    for spec in TABLES:
        member = f"{prefix}/{spec.paths[kind]}" if prefix else spec.paths[kind]
        if member in present:
            files[spec.name] = SourceFile(path, member)
        else:
            missing.append(spec.name)
    return Source(origin=path, kind=kind, files=files, missing=missing)


def detect(path: str | os.PathLike[str]) -> Source:
    """Work out what kind of source ``path`` is. Raises :class:`DataError` with the fix."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(
            f"{p}: no such file or folder. Pass --data with the Kaggle zip, its unzipped "
            "folder, or a CSV/parquet file of postings."
        )
    if not p.is_dir() and not p.is_file():
        # a FIFO, a device (a link to /dev/zero), a socket: reading one may never end
        raise DataError(
            f"{p}: not a regular file (a pipe, a device or a socket; reading it may never end). "
            "Save the data to a file and pass that."
        )
    if p.is_dir():
        found = _find_layout_in_dir(p)
        if found is None:
            raise DataError(
                f"{p}: this folder has neither postings.csv (Kaggle 2024 layout) nor "
                "job_postings.csv (2023 layout). Pass the folder that holds one of them, "
                "or a single postings file with --data FILE.csv."
            )
        return _kaggle_dir(*found)
    if p.suffix.lower() == ".zip":
        return _kaggle_zip(p)
    fmt = FILE_SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise DataError(
            f"{p}: cannot tell the format from the ending {p.suffix!r}. jobmap reads .csv, "
            ".tsv, .parquet, a Kaggle .zip, or a folder; rename the file or convert it."
        )
    return Source(origin=p, kind="file", files={"postings": SourceFile(p)}, file_format=fmt)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def content_hash(path: Path, index_file: Path | None = None) -> str:
    """SHA-256 of a file's content.

    An index of (size, mtime) per path avoids hashing a large unchanged file again; any change of
    size or modification time means the file is hashed anew, so an edited file is always noticed.
    """
    st = path.stat()
    stamp = [st.st_size, st.st_mtime_ns]
    key = str(path.resolve())
    index: dict[str, list[object]] = {}
    if index_file is not None and index_file.is_file():
        try:
            index = json.loads(index_file.read_text())
        except (OSError, ValueError):
            index = {}
        hit = index.get(key)
        if hit and hit[:2] == stamp:
            return str(hit[2])
    digest = _sha256(path)
    if index_file is not None:
        index[key] = [*stamp, digest]
        try:
            index_file.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(index_file) as tmp:
                tmp.write_text(json.dumps(index))
        except OSError:
            pass  # the index only saves time; a read-only cache still works
    return digest
