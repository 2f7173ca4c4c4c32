"""README fragments generated from the code, so the docs and the code cannot drift.

The README (and ``docs/ci.md``) hold ``[[[cog ... ]]]`` blocks that call
these functions; ``cog -r README.md docs/ci.md`` rewrites them and the test
suite runs ``cog --check`` so a new flag or finding code without its docs
fails.  Run ``.venv/bin/cog -r README.md docs/ci.md`` after changing a
command or the catalogue.
"""

from __future__ import annotations

import click

from citecheck.checks.catalogue import RULES

SYNOPSIS_WIDTH = 104


def _usage_piece(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        return param.metavar or f"{(param.name or '').upper()}"
    assert isinstance(param, click.Option)
    names = "/".join(param.opts + param.secondary_opts) if param.secondary_opts else param.opts[-1]
    if param.opts[0].startswith("-") and not param.opts[0].startswith("--"):
        names = param.opts[0]
    if param.is_flag or param.count:
        return f"[{names}]"
    if param.metavar:
        value = param.metavar
    elif isinstance(param.type, click.Choice):
        value = "|".join(str(choice) for choice in param.type.choices)
    else:
        value = (param.name or "").upper()
    return f"[{names} {value}{' ...' if param.multiple else ''}]"


def command_synopsis(group: click.Group | None = None) -> str:
    """Every command's usage line, wrapped like a man page's synopsis."""
    if group is None:
        from citecheck.cli import main

        group = main
    lines: list[str] = []
    for name, command in group.commands.items():
        head = f"citecheck {name} "
        pieces = [_usage_piece(param) for param in command.params if not getattr(param, "hidden", False)]
        # Arguments first, as the user types them.
        ordered = [p for p, param in zip(pieces, command.params, strict=True) if isinstance(param, click.Argument)]
        ordered += [p for p, param in zip(pieces, command.params, strict=True) if not isinstance(param, click.Argument)]
        rows = [""]
        for piece in ordered:
            if rows[-1] and len(head) + len(rows[-1]) + 1 + len(piece) > SYNOPSIS_WIDTH:
                rows.append("")
            rows[-1] = f"{rows[-1]} {piece}".strip()
        lines.append(head + rows[0])
        lines += [" " * len(head) + row for row in rows[1:]]
    return "\n".join(lines)


def option_table(command_name: str, group: click.Group | None = None) -> str:
    """A Markdown table of one command's options and what each does (from ``--help``)."""
    if group is None:
        from citecheck.cli import main

        group = main
    command = group.commands[command_name]
    lines = ["| option | what it does |", "| --- | --- |"]
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        piece = _usage_piece(param).strip("[]").replace("|", "\\|")
        help_text = (param.help or "").replace("|", "\\|")
        lines.append(f"| `{piece}` | {help_text} |")
    return "\n".join(lines)


def finding_table() -> str:
    """The finding catalogue as the README's table: code, name, severity, meaning."""
    lines = ["| code | name | severity | meaning |", "| --- | --- | --- | --- |"]
    for code in sorted(RULES):
        rule = RULES[code]
        lines.append(f"| {code} | {rule.name} | {rule.readme_severity} | {rule.readme_meaning} |")
    return "\n".join(lines)
