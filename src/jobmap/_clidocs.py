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


def render() -> str:
    """The whole reference as Markdown."""
    root = _context(main, "jobmap", None)
    parts = [HEADER, "## jobmap\n", "```text", main.get_help(root), "```\n"]
    assert isinstance(main, click.Group)
    for name in sorted(main.commands):
        cmd = main.commands[name]
        help_text = cmd.get_help(_context(cmd, name, root))
        parts += [f"## jobmap {name}\n", "```text", help_text, "```\n"]
    return "\n".join(parts)


def write(path: Path = Path("docs/cli.md")) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render())
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/cli.md")))
