"""The CLI reference is generated from --help and must match; every command documents itself."""

from __future__ import annotations

from pathlib import Path

import click

from jobmap import _clidocs

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    written = (ROOT / "docs" / "cli.md").read_text()
    assert written == _clidocs.render(), "docs/cli.md is stale: run `make docs`"


def test_every_command_and_option_has_help() -> None:
    found = _clidocs.commands()
    assert {"jobmap answers export", "jobmap answers import", "jobmap family add"} <= {
        path for path, _, _ in found
    }  # a group's subcommands are checked too
    for path, cmd, _ in found:
        assert cmd.help and cmd.help.strip(), f"{path} has no help"
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert param.help, f"{path} {param.opts[0]} has no help"


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for path, _, _ in _clidocs.commands():
        assert path in readme, f"README does not mention `{path}`"


def test_the_reference_holds_every_subcommand() -> None:
    written = (ROOT / "docs" / "cli.md").read_text()
    for path, _, _ in _clidocs.commands():
        assert f"## {path}\n" in written, path
