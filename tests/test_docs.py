"""The CLI reference is generated from --help and must match; every command documents itself."""

from __future__ import annotations

from pathlib import Path

import click

from jobmap import _clidocs
from jobmap.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    written = (ROOT / "docs" / "cli.md").read_text()
    assert written == _clidocs.render(), "docs/cli.md is stale: run `make docs`"


def test_every_command_and_option_has_help() -> None:
    assert isinstance(main, click.Group)
    for name, cmd in main.commands.items():
        assert cmd.help and cmd.help.strip(), f"jobmap {name} has no help"
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert param.help, f"jobmap {name} {param.opts[0]} has no help"


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    assert isinstance(main, click.Group)
    for name in main.commands:
        assert f"jobmap {name}" in readme, f"README does not mention `jobmap {name}`"
