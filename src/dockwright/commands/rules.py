"""`dockwright rules`: every registered rule, as a table generated from the registry."""

from __future__ import annotations

from collections.abc import Sequence

import typer
from rich.console import Console
from rich.table import Table

from dockwright.model.findings import RuleInfo
from dockwright.rules.registry import all_rules


def register(app: typer.Typer) -> None:
    """Add the `rules` command."""
    app.command("rules")(rules)


def rules_table(infos: Sequence[RuleInfo]) -> Table:
    """id, name, group, severity, fixable, hadolint twins and summary of each rule."""
    rows = [
        (r.id, r.name, str(r.group), r.severity.label, "yes" if r.fixable else "",
         ", ".join(r.hadolint), r.summary)
        for r in infos
    ]  # fmt: skip
    table = Table(title=f"{len(infos)} rules", title_justify="left")
    headers = ("Id", "Name", "Group", "Severity", "Fixable", "hadolint", "Summary")
    for index, header in enumerate(headers[:-1]):
        widest = max([len(header), *(len(row[index]) for row in rows)])
        table.add_column(header, no_wrap=True, min_width=widest)
    table.add_column(headers[-1], ratio=1)  # only the summary wraps
    for row in rows:
        table.add_row(*row)
    return table


def rules() -> int:
    """List every rule: id, name, group, severity, fixable, hadolint twins."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 250  # piped: never cut columns
    console.print(rules_table([r.info() for r in all_rules()]))
    return 0
