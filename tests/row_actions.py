"""A panel row's buttons read as opsweb.js reads them: each carries only its kind
(class ow-do-log|stop|pause|card) and accessible name; its table says once where each
kind goes (data-ow-<kind>) and how Stop and Pause ask first (data-ow-ask-<kind>), with
{run}, {agent}, {name} and {status} filled in from the row."""
import re

from bs4 import Tag


def row_of(soup, run_id: str) -> Tag | None:
    return soup.select_one(f'tr[data-run-id="{run_id}"]')


def button(row: Tag, kind: str) -> Tag | None:
    return row.select_one(f"button.ow-do-{kind}")


def _filled(template: str, row: Tag) -> str:
    values = {"run": row["data-run-id"], "agent": row["data-agent-id"],
              "name": row.select_one(".ow-agent bdi").get_text(),
              "status": row.select_one(".ow-status").get_text()}
    return re.sub(r"\{(run|agent|name|status)\}", lambda m: values[m.group(1)], template)


def url(row: Tag, kind: str) -> str:
    """Where the row's `kind` button sends its request."""
    assert button(row, kind) is not None, f"the row has no {kind} button"
    return _filled(row.find_parent("table")[f"data-ow-{kind}"], row)


def prompt(row: Tag, kind: str) -> str:
    """The prompt that confirms the row's Stop or Pause and asks for a reason."""
    return _filled(row.find_parent("table")[f"data-ow-ask-{kind}"], row)
