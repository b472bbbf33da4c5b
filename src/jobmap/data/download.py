"""``jobmap download``: fetch the Kaggle dataset with the official Kaggle client.

Needs the ``kaggle`` package (``pip install 'jobmap[kaggle]'``), credentials
(``~/.kaggle/kaggle.json`` or ``KAGGLE_USERNAME``/``KAGGLE_KEY``) and network access. Without them,
download the zip by hand and pass it with ``--data``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from jobmap.errors import DownloadError

DATASET = "arshkon/linkedin-job-postings"
ZIP_NAME = "linkedin-job-postings.zip"
PAGE = "https://www.kaggle.com/datasets/arshkon/linkedin-job-postings"


def _manual_hint(dest: Path) -> str:
    return (
        f"Download the zip from {PAGE} yourself, put it at {dest / ZIP_NAME} "
        f"(or anywhere) and pass it with --data {dest / ZIP_NAME}."
    )


def download(dest: str | os.PathLike[str] = ".", *, force: bool = False) -> Path:
    """Download ``linkedin-job-postings.zip`` into ``dest`` and return its path.

    Raises :class:`DownloadError` with one line saying what is missing and where to put the zip.
    """
    dest_path = Path(dest).expanduser()
    target = dest_path / ZIP_NAME
    if target.is_file() and not force:
        return target
    try:
        # Importing the client authenticates at once: a missing kaggle.json raises here.
        kaggle = importlib.import_module("kaggle")
    except ModuleNotFoundError:
        raise DownloadError(
            "the Kaggle client is not installed (pip install 'jobmap[kaggle]'). "
            + _manual_hint(dest_path)
        ) from None
    except (OSError, ValueError) as exc:
        raise DownloadError(
            f"no Kaggle credentials ({str(exc).strip().splitlines()[0]}): put kaggle.json in "
            "~/.kaggle/ or set KAGGLE_USERNAME and KAGGLE_KEY. " + _manual_hint(dest_path)
        ) from None
    try:
        dest_path.mkdir(parents=True, exist_ok=True)
        kaggle.api.dataset_download_files(DATASET, path=str(dest_path), unzip=False, quiet=False)
    except Exception as exc:  # the client raises many kinds (HTTP, network, auth)
        raise DownloadError(
            f"the Kaggle download failed ({type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no message'}). "
            + _manual_hint(dest_path)
        ) from None
    if not target.is_file():
        raise DownloadError(
            f"the Kaggle client finished but {target} is not there. " + _manual_hint(dest_path)
        )
    return target
