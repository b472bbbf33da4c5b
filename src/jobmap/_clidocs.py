"""Generate the CLI reference (docs/cli.md) from ``--help``; a test checks it is current.

Run ``python -m jobmap._clidocs`` (or ``make docs``) after changing a command.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jobmap.cli import main

HEADER = """# CLI reference

Generated from `jobmap --help` by `make docs` (`python -m jobmap._clidocs`); do not edit by hand.
A test fails when this file and the commands disagree.
"""


def _context(cmd: click.Command, name: str, parent: click.Context | None) -> click.Context:
    # Contexts built as click builds them when run, so settings such as -h apply alike.
    settings = {"terminal_width": 100, "max_content_width": 100, **cmd.context_settings}
    return click.Context(cmd, info_name=name, parent=parent, **settings)


def commands(
    group: click.Group = main, path: str = "jobmap", parent: click.Context | None = None
) -> list[tuple[str, click.Command, click.Context]]:
    """Every command under ``group`` as (its path, itself, its context), a group's subcommands
    after it (``jobmap answers``, then ``jobmap answers export``...)."""
    ctx = parent if parent is not None else _context(group, path, None)
    out = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        sub = _context(cmd, name, ctx)
        out.append((f"{path} {name}", cmd, sub))
        if isinstance(cmd, click.Group):
            out += commands(cmd, f"{path} {name}", sub)
    return out


def render() -> str:
    """The whole reference as Markdown."""
    root = _context(main, "jobmap", None)
    parts = [HEADER, "## jobmap\n", "```text", main.get_help(root), "```\n"]
    for path, cmd, ctx in commands(main, "jobmap", root):
        parts += [f"## {path}\n", "```text", cmd.get_help(ctx), "```\n"]
    return "\n".join(parts)


def write(path: Path = Path("docs/cli.md")) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render())
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/cli.md")))
