"""Reading a request's body and writing a download, by the rules of :mod:`.security`."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any
from urllib.parse import quote

import pandas as pd
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from jobmap._csv import csv_text
from jobmap.web.security import MAX_BODY, Refused


async def read_body(request: Request) -> bytes:
    """The request's body, up to :data:`MAX_BODY` bytes, counted as it streams: a chunked body
    says no Content-Length, and one that says one may send more."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise Refused(f"Request too large: at most {MAX_BODY:,} bytes.", 413)
            chunks.append(chunk)
    except ClientDisconnect:
        raise Refused("the client went away before its request ended.") from None
    return b"".join(chunks)


async def json_body(request: Request) -> dict[str, Any]:
    raw = await read_body(request)
    try:
        body = json.loads(raw or b"{}")
        # JSON may escape half a surrogate pair ("\\ud800"): text no database or page can hold
        json.dumps(body, ensure_ascii=False).encode()
    except RecursionError:
        raise Refused("the body is nested too deeply.") from None
    except UnicodeEncodeError:
        raise Refused("the body holds an unpaired surrogate (\\ud800-\\udfff): not text.") from None
    except ValueError:
        raise Refused("the body is not JSON.") from None
    if not isinstance(body, dict):
        raise Refused("the body must be a JSON object.")
    return body


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")


def attachment(filename: str) -> str:
    """A Content-Disposition header that downloads ``filename``, whatever its characters (RFC
    6266 and 5987): an ASCII ``filename`` for old clients (accents dropped, anything else that
    could end the header or the quoted string made ``_``) and the exact name as UTF-8 in
    ``filename*``. A header is Latin-1: a family named ``数据`` made every export a 500, and a
    quote or a line break cut the reply."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", filename) if not unicodedata.combining(c)
    )
    fallback = _UNSAFE.sub("_", plain).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_download(df: pd.DataFrame, name: str) -> Response:
    return Response(
        csv_text(df),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": attachment(name)},
    )


__all__ = ["attachment", "csv_download", "json_body", "read_body"]
