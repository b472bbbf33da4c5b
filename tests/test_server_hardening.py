"""The review server against hostile requests (issue 19, items 7-13 and 20): tokens beyond
ASCII, bodies too large or too deep, one cookie per server, any family name in a download,
undo by batch id in one transaction, phrases that are words, ``--host 0.0.0.0`` usable from the
network, a port in use said before anything else; and a seeded fuzz over every route."""

# The review tests' fixtures (data, family, session, client) are imported and reused here: as
# test arguments they "redefine" the imported names.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from starlette.testclient import TestClient

from jobmap.answers import AnswerStore
from jobmap.config import Settings
from jobmap.errors import ConfigError
from jobmap.review import ReviewSession
from jobmap.web import create_app, serve
from jobmap.web.app import MAX_BODY
from tests.conftest import run_cli
from tests.fakes import HashBackend
from tests.test_review import client, data, family, session  # noqa: F401  (fixtures)

TOKEN = "secret-token"


def _session(data: Path, family: Path, answers: Path, **kw: Any) -> ReviewSession:
    settings = Settings.build("ml", data, families=family, model="fake", progress=False)
    return ReviewSession(settings, AnswerStore(answers), audit_every=0, **kw)


def cookie_name(port: int) -> str:
    """The token cookie of the server on ``port``: one name per server."""
    return f"jobmap_token_{port}"


def _logged_in(client: TestClient) -> TestClient:
    assert client.get(f"/?token={TOKEN}").status_code == 200
    return client


# -- 7: a token beyond ASCII ------------------------------------------------------------------


def test_a_token_beyond_ascii_is_403_not_500(session: ReviewSession) -> None:
    c = TestClient(create_app(session, token=TOKEN))
    for r in (
        c.get("/api/question", params={"token": "été"}),
        c.get("/?token=%C3%A9t%C3%A9"),
        c.get("/api/question", headers={"x-jobmap-token": "été".encode()}),
        c.get("/api/question", headers={"cookie": f"{cookie_name(0)}=été".encode()}),
        c.get("/api/question", headers={"x-jobmap-token": b"\xff\xfe"}),
    ):
        assert r.status_code == 403, r.text
        assert "open the URL jobmap review printed" in r.text
    assert c.get("/api/question", headers={"x-jobmap-token": TOKEN}).status_code == 200


# -- 8: the body limit, whatever the body says ----------------------------------------------


async def _asgi(
    app: Any,
    method: str,
    path: str,
    *,
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    chunks: Iterable[bytes] = (),
    port: int = 0,
) -> tuple[int, dict[str, str], bytes]:
    """One request straight to the ASGI app, its body sent as ``chunks`` (as a chunked upload
    arrives), the way a server calls it: bytes the test client would refuse to send included."""
    body = iter(chunks)
    done = asyncio.Event()
    ended = False
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal ended
        if ended:
            await done.wait()
            return {"type": "http.disconnect"}
        chunk = next(body, None)
        if chunk is None:
            ended = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers or [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", port or 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    got = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return int(start["status"]), got, content


def test_a_chunked_body_is_cut_at_the_limit_as_it_streams(session: ReviewSession) -> None:
    app = create_app(session, token=TOKEN)
    pulled = 0

    def hundred_megabytes() -> Iterator[bytes]:
        nonlocal pulled
        for _ in range(100 * 16):
            pulled += 1
            yield b"x" * (64 << 10)

    headers = [(b"host", b"testserver"), (b"x-jobmap-token", TOKEN.encode())]
    status, _, content = asyncio.run(
        _asgi(app, "POST", "/api/answer", headers=headers, chunks=hundred_megabytes())
    )
    assert status == 413 and "too large" in json.loads(content)["error"]
    assert pulled <= MAX_BODY // (64 << 10) + 1  # refused as it streamed, not read whole
    # the test client's chunked upload (no Content-Length) and a body under ?token= alike
    c = TestClient(create_app(session, token=TOKEN))
    chunked = c.post(
        "/api/answer",
        content=(b"x" * (64 << 10) for _ in range(40)),
        headers={"x-jobmap-token": TOKEN},
    )
    assert "content-length" not in chunked.request.headers
    assert chunked.status_code == 413
    by_query = c.post(f"/api/answer?token={TOKEN}", content=b" " * (MAX_BODY + 1))
    assert by_query.status_code == 413 and by_query.json()["error"]
    small = c.post(
        f"/api/answer?token={TOKEN}", json={"subject": "title:data scientist", "answer": "yes"}
    )
    assert small.status_code == 200  # under the limit, ?token= still answers
    assert c.post(
        "/api/answer", content=b"{}", headers={"x-jobmap-token": TOKEN, "content-length": "x"}
    ).status_code in (400, 413)


# -- 9: nesting ------------------------------------------------------------------------------


def test_deeply_nested_json_is_400(client: TestClient, session: ReviewSession) -> None:
    _logged_in(client)
    for route in ("/api/answer", "/api/answer-many", "/api/undo"):
        r = client.post(route, content=b"[" * 100_000 + b"]" * 100_000)
        assert r.status_code == 400 and "nested too deeply" in r.json()["error"], route
        r = client.post(route, content=b'{"a":' * 50_000 + b"1" + b"}" * 50_000)
        assert r.status_code == 400, route
    assert session.store.count("ml") == 0


# -- 10: one cookie per server ---------------------------------------------------------------


def test_each_server_keeps_its_own_cookie(session: ReviewSession) -> None:
    a = TestClient(create_app(session, token="token-a", port=8001), "http://127.0.0.1:8001")
    b = TestClient(create_app(session, token="token-b", port=8002), "http://127.0.0.1:8002")
    first = a.get("/?token=token-a", follow_redirects=False)
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{cookie_name(8001)}=token-a;")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/" in cookie
    # one browser: it holds one jar of cookies for 127.0.0.1, sent to every port there
    a.get("/?token=token-a")
    b.cookies.update(a.cookies)
    b.get("/?token=token-b")  # opening server B's page ...
    a.cookies.update(b.cookies)
    assert {cookie_name(8001), cookie_name(8002)} <= set(a.cookies.keys())
    assert a.get("/api/question").status_code == 200  # ... leaves server A's page logged in
    assert b.get("/api/question").status_code == 200
    assert a.get("/").status_code == 200 and b.get("/").status_code == 200
    # each server reads its own cookie only
    lone = TestClient(create_app(session, token="token-b", port=8002), "http://127.0.0.1:8002")
    lone.cookies.set(cookie_name(8001), "token-b")
    assert lone.get("/api/question").status_code == 403
    # the page relies on the cookie, whatever its name: it sends no token of its own
    js = a.get("/static/review.js").text
    assert 'credentials: "same-origin"' in js and "jobmap_token" not in js


# -- 11: downloads of any family name ----------------------------------------------------------


def test_exports_of_a_family_named_in_any_unicode(
    data: Path, tmp_path: Path, fake_model: HashBackend
) -> None:
    name = "数据-ünï"
    fams = tmp_path / "u.toml"
    fams.write_text(f'[families."{name}"]\nanchors = ["machine learning"]\n', encoding="utf-8")
    settings = Settings.build(name, data, families=fams, model="fake", progress=False)
    s = ReviewSession(settings, AnswerStore(tmp_path / "u.sqlite"), audit_every=0)
    c = _logged_in(TestClient(create_app(s, token=TOKEN)))
    for route, suffix in (
        ("/export/labels.csv", "-labels.csv"),
        ("/export/family.toml", ".toml"),
        ("/export/matches.csv", "-matches.csv"),
    ):
        r = c.get(route)
        assert r.status_code == 200, route
        disposition = r.headers["content-disposition"]
        assert disposition.isascii()
        fallback = re.search(r'filename="([^"]*)"', disposition)
        exact = re.search(r"filename\*=UTF-8''(\S+)$", disposition)
        assert fallback and exact
        assert fallback.group(1) == "__-uni" + suffix  # accents dropped, the rest made _
        assert unquote(exact.group(1)) == name + suffix
    assert "数据-ünï" in c.get("/").text  # the page itself shows the name as it is


@pytest.mark.parametrize("name", ['a"b', "a\r\nb", "a\nSet-Cookie: x=1", "a;b\\c", "ab\x00", "/"])
def test_a_family_name_cannot_break_the_download_header(
    name: str, session: ReviewSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "name", name)
    c = _logged_in(TestClient(create_app(session, token=TOKEN)))
    r = c.get("/export/family.toml")
    assert r.status_code == 200
    header = r.headers["content-disposition"]
    assert "set-cookie" not in {k.lower() for k in r.headers}
    assert not any(ch in header for ch in "\r\n\x00")
    inner = re.fullmatch(r'attachment; filename="([^"\\]*)"; filename\*=UTF-8\'\'(\S+)', header)
    assert inner and unquote(inner.group(2)) == name + ".toml"


# -- 12: undo is one transaction on a batch the caller saw ------------------------------------


def test_undo_names_its_batch_and_never_takes_another_server_s(
    data: Path, family: Path, tmp_path: Path, fake_model: HashBackend
) -> None:
    db = tmp_path / "shared.sqlite"
    one, two = _session(data, family, db), _session(data, family, db)
    a = _logged_in(TestClient(create_app(one, token=TOKEN)))
    b = _logged_in(TestClient(create_app(two, token=TOKEN)))
    mine = a.post("/api/answer", json={"subject": "title:data scientist", "answer": "yes"})
    theirs = b.post("/api/answer", json={"subject": "title:data engineer", "answer": "no"})
    batch_a, batch_b = mine.json()["batch"], theirs.json()["batch"]
    bare = a.post("/api/undo")
    assert bare.status_code == 400 and '{"batch": ID}' in bare.json()["error"]
    assert a.post("/api/undo", json={"batch": 5}).status_code == 400
    assert one.store.count("ml") == 2  # nothing undone without a batch
    r = a.post("/api/undo", json={"batch": batch_a})
    assert r.status_code == 200 and r.json()["undone"] == 1
    assert [x.subject for x in one.answers()] == ["title:data engineer"]  # server B's stands
    again = b.post("/api/undo", json={"batch": batch_a})
    assert again.status_code == 409 and "undone already" in again.json()["error"]
    unknown = a.post("/api/undo", json={"batch": "0123456789abcdef"})
    assert unknown.status_code == 400 and "no batch" in unknown.json()["error"]
    # given its id, a server may undo another's batch (the id says the caller saw it)
    assert a.post("/api/undo", json={"batch": batch_b}).json()["undone"] == 1
    assert one.answers() == []
    # in Python, a bare undo takes back this session's latest batch, never another session's
    one.answer("title:line cook", "no")
    two.answer("title:truck driver", "no")
    assert one.undo() == 1
    assert [x.subject for x in two.answers()] == ["title:truck driver"]
    assert one.undo() == 0  # nothing of its own left standing
    with pytest.raises(ConfigError, match="undone already"):
        one.store.undo("ml", batch_a)
    with pytest.raises(ConfigError, match="no batch"):
        one.store.undo("other", batch_b)  # a batch is its family's


def test_concurrent_undos_over_two_servers_undo_each_batch_once(
    data: Path, family: Path, tmp_path: Path, fake_model: HashBackend
) -> None:
    db = tmp_path / "shared.sqlite"
    sessions = [_session(data, family, db, background=True) for _ in range(2)]
    try:
        titles = ["data scientist", "data engineer", "line cook", "truck driver"]
        titles += ["registered nurse", "senior data engineer", "lead data scientist"]
        titles += ["senior data scientist", "data scientist ii", "machine learning engineer"]
        batches = [
            sessions[i % 2].answer(f"title:{t}", "no") for i, t in enumerate(titles)
        ]  # ten batches, five from each server
        results: list[int | str] = []
        start = threading.Barrier(40)

        def undo(k: int) -> None:
            start.wait()
            try:  # each batch four times, twice from each server
                results.append(sessions[(k // 10) % 2].undo(batches[k % 10]))
            except ConfigError as exc:
                results.append("already" if "undone already" in str(exc) else str(exc))

        threads = [threading.Thread(target=undo, args=(k,)) for k in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results, key=str) == [1] * 10 + ["already"] * 30
        import sqlite3

        with sqlite3.connect(db) as con:
            undone = con.execute(
                "select undoes, count(*) from events where event = 'undo' group by undoes"
            ).fetchall()
        assert sorted(undone) == sorted((b, 1) for b in batches)  # each once
        assert sessions[0].answers() == []
    finally:
        for s in sessions:
            s.close()


# -- 13: subjects are validated ----------------------------------------------------------------


def test_wildcard_and_pattern_phrases_and_unknown_kinds_are_refused(
    client: TestClient, session: ReviewSession
) -> None:
    _logged_in(client)
    for subj, says in [
        ("phrase:*", "not a wildcard"),
        ("phrase:data*", "not a wildcard"),
        ("phrase:re:.*", "regular expression"),
        ("phrase:re:data", "regular expression"),
        ("phrase:-- / --", "letter or digit"),
        ("phrase:   ", "empty phrase"),
        ("topic:data", "posting, title, phrase"),
        ("data scientist", "posting, title, phrase"),
        ("posting:²", "whole number"),
        ("posting:" + "9" * 5000, "at most 2,000 characters"),
        ("title:" + "(" * 500_000, "at most 2,000 characters"),
    ]:
        r = client.post("/api/answer", json={"subject": subj, "answer": "no"})
        assert r.status_code == 400 and says in r.json()["error"], (subj, r.text)
        assert len(r.json()["error"]) < 300  # a long subject is cut short in the message
        many = client.post("/api/answer-many", json={"subjects": [subj], "answer": "no"})
        assert many.status_code == 400, subj
        if len(subj) < 8000:  # a longer URL is the client's to refuse
            similar = client.get("/api/similar", params={"subject": subj})
            assert similar.status_code == 400, subj
    assert session.store.count("ml") == 0  # nothing was answered
    with pytest.raises(ConfigError, match="wildcard"):
        session.store.answer("ml", [("phrase:*", "no", "*")])
    ok = client.post("/api/answer", json={"subject": "phrase:Data Scientist", "answer": "no"})
    assert ok.status_code == 200
    assert [a.subject for a in session.answers()] == ["phrase:data scientist"]


def test_other_bad_queries_are_4xx_with_a_message(
    client: TestClient, capfd: pytest.CaptureFixture[str]
) -> None:
    _logged_in(client)
    for url in (
        "/api/threshold?t=nan",
        "/api/threshold?t=inf",
        "/api/threshold?t=-1e400",
        "/api/threshold?t=%00",
        "/api/similar?subject=nope:1",
        "/api/similar",
        "/api/search?q=%5Cp%7BFoo%7D&regex=1",
        "/api/search?q=(unclosed&regex=1",
        "/api/search?q=" + "a" * 501,
        "/api/nope",
    ):
        r = client.get(url)
        assert 400 <= r.status_code < 500 and r.json()["error"], url
    assert client.delete("/api/answer").json()["error"]
    bad = client.get("/api/search?q=(unclosed&regex=1").json()["error"]
    assert bad == "not a valid regular expression: missing ): (unclosed"  # text, not b'...'
    for url in ("/api/search?q=%ZZ%C3%28", "/api/search?q=a%00b&regex=1", "/matches?q=%00%FF"):
        assert client.get(url).status_code == 200, url
    assert "re2.cc" not in capfd.readouterr().err  # a user's bad pattern is not the log's


# -- 20: --host and --port ---------------------------------------------------------------------


def test_listening_everywhere_answers_the_machine_s_own_names(session: ReviewSession) -> None:
    hostname = socket.gethostname().lower()
    app = create_app(session, token=TOKEN, port=8765, host="0.0.0.0")
    by_name = TestClient(app, f"http://{hostname}:8765")
    assert by_name.get(f"/?token={TOKEN}").status_code == 200
    from jobmap.web.app import machine_names

    names = machine_names()
    assert hostname in names
    for name in sorted(names):
        shown = f"[{name}]" if ":" in name else name
        c = TestClient(app, f"http://{shown}:8765")
        assert c.get(f"/?token={TOKEN}").status_code == 200, name
    c = TestClient(app, "http://127.0.0.1:8765")
    assert c.get(f"/?token={TOKEN}").status_code == 200
    assert c.get("/api/question", headers={"host": "evil.example:8765"}).status_code == 403
    assert c.get("/api/question", headers={"host": f"{hostname}:8766"}).status_code == 403
    # listening on 127.0.0.1, the machine's name is a stranger's (DNS rebinding)
    local = create_app(session, token=TOKEN, port=8765)
    if hostname not in ("localhost", "127.0.0.1"):
        r = TestClient(local, f"http://{hostname}:8765").get(f"/?token={TOKEN}")
        assert r.status_code == 403
    six = TestClient(create_app(session, token=TOKEN, port=8765, host="::1"), "http://[::1]:8765")
    assert six.get(f"/?token={TOKEN}").status_code == 200


def test_served_on_every_address_the_page_answers_by_the_machine_s_name(
    session: ReviewSession, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    servers: list[uvicorn.Server] = []
    original = uvicorn.Server.__init__

    def remember(self: uvicorn.Server, *args: Any, **kw: Any) -> None:
        original(self, *args, **kw)
        servers.append(self)

    monkeypatch.setattr(uvicorn.Server, "__init__", remember)
    thread = threading.Thread(
        target=serve, args=(session,), kwargs={"host": "0.0.0.0", "open_browser": False}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not (servers and servers[0].started) and time.monotonic() < deadline:
            time.sleep(0.05)
        out = capsys.readouterr()
        assert "Warning: listening on 0.0.0.0" in out.err  # the warning stays
        found = re.search(r"From another machine: http://([^:/]+):(\d+)/\?token=(\S+)", out.out)
        assert found, out.out
        name, port, token = found.groups()
        import urllib.request

        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/progress",
            headers={"x-jobmap-token": token, "host": f"{name}:{port}"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            assert reply.status == 200 and "matches" in json.loads(reply.read())
    finally:
        if servers:
            servers[0].should_exit = True
        thread.join(timeout=20)
    assert not thread.is_alive()


def test_a_port_in_use_is_one_line_before_anything_else(
    data: Path,
    family: Path,
    session: ReviewSession,
    fake_model: HashBackend,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = (
            f"port {port} on 127.0.0.1 is in use; pass --port 0 for a free one (or another port)."
        )
        result = run_cli(
            "review", "ml", "--data", data, "--families", family, "--model", "fake",
            "--port", port, "--no-browser",
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        assert result.output.strip().splitlines() == [f"Error: {line}"]  # and no URL before it
        with pytest.raises(ConfigError, match="is in use"):
            serve(session, port=port, open_browser=False)
        assert "token=" not in capsys.readouterr().out
        from jobmap.web.server import listen

        with pytest.raises(ConfigError) as caught:
            listen("127.0.0.1", port)
        assert str(caught.value) == line
    free = listen("127.0.0.1", 0)
    try:
        assert free.getsockname()[1] > 0  # --port 0: any free port, bound at once
    finally:
        free.close()


# -- the fuzz: random requests to every route --------------------------------------------------

PORT = 8123
GETS = [
    "/",
    "/api/question",
    "/api/progress",
    "/api/threshold",
    "/api/search",
    "/api/similar",
    "/api/check",
    "/export/labels.csv",
    "/export/family.toml",
    "/export/matches.csv",
    "/matches",
    "/static/review.js",
    "/static/nope.js",
    "/static/../app.py",
    "/static/%2e%2e/app.py",
    "/static/%00",
    "/api/nope",
    "/api/question/",
    "//api/question",
    "/nope",
    "/%FF",
]
POSTS = ["/api/answer", "/api/answer-many", "/api/undo"]
ODD = [
    "",
    " ",
    "*",
    "phrase:*",
    "phrase:re:.*",
    "phrase:data scientist",
    "phrase:data*",
    "phrase:-",
    "title:data scientist",
    "title:Data Engineer (Remote)",
    "title:",
    "posting:1",
    "posting:-1",
    "posting:²",
    "posting:" + "9" * 40,
    "posting:" + "9" * 5000,
    "topic:x",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "0.5",
    "-1",
    "(a+)+$",
    "(unclosed",
    "\\p{Foo}",
    "数据-ünï",
    "\u202e\u0000\ufeff",
    "😀" * 50,
    "\x00",
    "%",
    "yes",
    "no",
    "skip",
    "maybe",
]


def _odd(rng: random.Random) -> str:
    if rng.random() < 0.03:
        return rng.choice(["a", "é", "数", "\x00", "title:("]) * rng.choice([1000, 100_000])
    return rng.choice(ODD)


def _json_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice(
            [None, True, False, 0, -1, 2**64, 1.5, float("nan"), float("inf"), _odd(rng)]
        )
    if roll < 0.7:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_odd(rng)[:20]: _json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


VALID = [
    "title:data scientist",
    "title:line cook",
    "title:Data Engineer",
    "phrase:data scientist",
    "phrase:senior data",
    "posting:1",
    "posting:30",
]


def _body(rng: random.Random, batches: list[str]) -> bytes:
    roll = rng.random()
    if roll < 0.2:  # a request as the page sends it: answers, and undos of batches given
        body: dict[str, Any] = {
            "subject": rng.choice(VALID),
            "subjects": rng.sample(VALID, rng.randint(1, 3)),
            "answer": rng.choice(["yes", "no", "skip"]),
            "batch": rng.choice(batches) if batches else "",
        }
        return json.dumps(body).encode()
    if roll < 0.45:  # the shape a route wants, with odd values
        body = {}
        for key in ("subject", "subjects", "answer", "batch"):
            if rng.random() < 0.7:
                body[key] = rng.choice(
                    [
                        _odd(rng),
                        _json_value(rng),
                        [_odd(rng) for _ in range(rng.randint(0, 3))],
                        rng.choice(batches) if batches else "0" * 16,
                        rng.choice(["yes", "no", "skip"]),
                    ]
                )
        return json.dumps(body, allow_nan=True).encode()
    if roll < 0.6:
        return json.dumps(_json_value(rng), allow_nan=True).encode()
    if roll < 0.7:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
    if roll < 0.76:
        n = rng.choice([1000, 100_000])
        return rng.choice([b"[" * n + b"]" * n, b'{"a":' * n + b"1" + b"}" * n, b"[" * n])
    if roll < 0.8:
        return b" " * rng.choice([MAX_BODY, MAX_BODY + 1, 3 * MAX_BODY])
    if roll < 0.88:
        text = json.dumps({"subject": _odd(rng), "answer": "no"}, ensure_ascii=False)
        return text.encode(rng.choice(["utf-8", "utf-16", "utf-32", "latin-1"]), "replace")
    if roll < 0.94:
        return b'{"subject": "\\ud800", "answer": "yes", "batch": "\\udfff"}'
    return b""


def _query(rng: random.Random) -> bytes:
    parts = []
    for _ in range(rng.randint(0, 3)):
        key = rng.choice(["q", "t", "subject", "regex", "token", "x"])
        roll = rng.random()
        if roll < 0.6:
            value = _odd(rng).encode("utf-8", "surrogatepass")
            value = value.replace(b"%", b"%25").replace(b"&", b"%26").replace(b"#", b"%23")
        elif roll < 0.8:
            value = rng.choice([b"%ZZ", b"%", b"%C3", b"%00", b"%FF%FE", b"a%2", b"%E6%95"])
        else:
            value = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 20)))
        parts.append(key.encode() + b"=" + value)
    return b"&".join(parts)


def _headers(rng: random.Random, size: int) -> list[tuple[bytes, bytes]]:
    host = f"127.0.0.1:{PORT}".encode()
    headers: list[tuple[bytes, bytes]] = []
    roll = rng.random()
    if roll < 0.93:
        headers.append((b"host", host))
    elif roll < 0.97:
        headers.append((b"host", rng.choice([b"evil.example", b"", b"\xff\xfe", b"127.0.0.1"])))
    if rng.random() < 0.15:
        origin = rng.choice([b"http://" + host, b"null", b"http://evil.example", b"\xc3\xa9"])
        headers.append((b"origin", origin))
    roll = rng.random()
    if roll < 0.7:
        headers.append((b"cookie", cookie_name(PORT).encode() + b"=" + TOKEN.encode()))
    elif roll < 0.85:
        headers.append((b"x-jobmap-token", TOKEN.encode()))
    elif roll < 0.95:
        bad = rng.choice([b"\xc3\xa9t\xc3\xa9", b"\xff", TOKEN.encode() + b"x", b""])
        headers.append((rng.choice([b"x-jobmap-token", b"cookie"]), bad))
    if rng.random() < 0.7:
        kind = rng.choice(
            [b"application/json", b"text/plain", b"multipart/form-data; boundary=x", b"\xff"]
        )
        headers.append((b"content-type", kind))
    roll = rng.random()
    if roll < 0.5:
        headers.append((b"content-length", str(size).encode()))
    elif roll < 0.7:  # a length that lies, or is not one
        lie = rng.choice([0, size // 2, size + 10, MAX_BODY + 1])
        value = rng.choice([str(lie).encode(), b"abc", b"-1", b"9" * 30, b"1e3", b"\xff"])
        headers.append((b"content-length", value))
    return headers  # else no length: a chunked upload


def _chunks(rng: random.Random, body: bytes) -> list[bytes]:
    out, i = [], 0
    sizes = [1, 7, 4096, 65536, len(body)] if len(body) < 10_000 else [4096, 65536, len(body)]
    while i < len(body):
        n = rng.choice(sizes)
        out.append(body[i : i + n])
        i += n
    return out


def test_fuzz_no_request_is_a_500(
    data: Path,
    family: Path,
    tmp_path: Path,
    fake_model: HashBackend,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Seeded random requests (``JOBMAP_FUZZ_REQUESTS``, ``JOBMAP_FUZZ_SEED`` to run more):
    random bytes, JSON, deep nesting, huge strings, odd Unicode, odd headers (Host, Origin,
    tokens, Content-Type, Content-Length that lies) to every route, GET and POST. Every reply is
    2xx-4xx, an error under /api/ is JSON with a message, and nothing is logged as an error."""
    caplog.set_level(logging.WARNING)
    n = int(os.environ.get("JOBMAP_FUZZ_REQUESTS", "300"))
    rng = random.Random(int(os.environ.get("JOBMAP_FUZZ_SEED", "19")))
    s = _session(data, family, tmp_path / "fuzz.sqlite", background=True)
    app = create_app(s, token=TOKEN, port=PORT)
    batches: list[str] = []
    seen: dict[int, int] = {}

    async def run_all() -> None:
        for i in range(n):
            if rng.random() < 0.5:
                method, path = "POST", rng.choice(POSTS)
            else:
                method, path = "GET", rng.choice(GETS)
            if rng.random() < 0.1:
                method = rng.choice(["PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "GET", "POST"])
            body = _body(rng, batches) if method != "GET" or rng.random() < 0.1 else b""
            query = _query(rng)
            status, headers, content = await _asgi(
                app,
                method,
                path,
                query=query,
                headers=_headers(rng, len(body)),
                chunks=_chunks(rng, body),
                port=PORT,
            )
            where = f"request {i}: {method} {path}?{query[:80]!r} body {body[:80]!r}"
            assert 200 <= status < 500, f"{where} -> {status} {content[:300]!r}"
            seen[status] = seen.get(status, 0) + 1
            if status >= 400 and path.startswith("/api/") and method != "HEAD":
                assert headers.get("content-type", "").startswith("application/json"), where
                assert json.loads(content)["error"], where
            elif status >= 400 and method != "HEAD":
                assert content.strip(), where  # a message, not an empty reply
            if status == 200 and method == "POST" and path in ("/api/answer", "/api/answer-many"):
                batches.append(json.loads(content)["batch"])

    started = time.perf_counter()
    try:
        asyncio.run(run_all())
        s.wait_idle()
    finally:
        s.close()
    assert time.perf_counter() - started < 60
    assert not [h for h in s.history if "error" in h]  # every re-fit the answers caused ran
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not logged, [r.getMessage() for r in logged]
    err = capfd.readouterr().err
    assert "Traceback" not in err and "re2.cc" not in err
    # the fuzz reached the routes, not only the guard
    assert seen.get(200, 0) > n // 10 and seen.get(400, 0) > n // 20 and 403 in seen
