"""docs/cli.md, rendered from the commands' own ``--help`` so the two never disagree.

``python -m scanner.cli_docs > docs/cli.md`` regenerates it; a test fails when it is stale.
"""

from __future__ import annotations

from typing import Any

import click

from scanner.cli import cli

HEADER = """\
# pacscan command line

Every command and option, as `pacscan COMMAND --help` prints it. Regenerate this page with
`python -m scanner.cli_docs > docs/cli.md` after changing an option.
"""


# As `pacscan` runs them (click caches each command's help option on first use, so the
# names must not depend on which context asked first).
SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


def render_cli_reference() -> str:
    parts = [HEADER, _section("pacscan", cli, None)]
    with click.Context(cli, info_name="pacscan", **SETTINGS) as ctx:
        for name in cli.list_commands(ctx):
            command = cli.get_command(ctx, name)
            if command is not None:
                parts.append(_section(f"pacscan {name}", command, ctx))
                parts.extend(_subcommands(name, command, ctx))
    return "\n".join(parts)


def _subcommands(name: str, command: click.Command, parent: click.Context) -> list[str]:
    if not isinstance(command, click.Group):
        return []
    sections = []
    with click.Context(command, info_name=name, parent=parent, **SETTINGS) as ctx:
        for sub in command.list_commands(ctx):
            subcommand = command.get_command(ctx, sub)
            if subcommand is not None:
                sections.append(_section(f"pacscan {name} {sub}", subcommand, ctx))
    return sections


def _section(title: str, command: click.Command, parent: click.Context | None) -> str:
    info_name = title.split()[-1]
    with click.Context(
        command, info_name=info_name, parent=parent, terminal_width=100, **SETTINGS
    ) as ctx:
        text = command.get_help(ctx)
    return f"## `{title}`\n\n```text\n{text}\n```\n"


if __name__ == "__main__":
    print(render_cli_reference(), end="")
