"""Drain: start nothing new, let the running run finish, then pause.

The queued runs are cancelled at once (ordinary batch items); the agent itself waits as
"draining" while Paperclip lists a running run for it, and is paused once none is
listed. Reads only: whether an agent is still running is read from its company's live
runs through the port; a read that fails leaves the agent draining until the next look
(never a pause on a guess). Between the run's end and the pause Paperclip's timer or a
new issue can still wake the agent: that run is cancelled by the pause itself.
"""
from __future__ import annotations

from opsweb import platform_port as port
from opsweb.actions.batch_store import Item
from opsweb.i18n.said import Said

WAITING = Said("Draining: paused once its running run ends.")
CANCELLED = Said("Not paused: the batch was cancelled while the run was still going.")


def _company(platform: port.Platform, item: Item) -> str | None:
    if item.company_id:
        return item.company_id
    try:
        return str(port.pc_get_agent(platform, item.target).get("companyId") or "") or None
    except port.PlatformError:
        return None


def _running(platform: port.Platform, company_id: str | None) -> set[str] | None:
    """Agent ids with a running run in that company; None when it cannot be read."""
    if not company_id:
        return None
    try:
        runs = port.pc_list_live_runs(platform, company_id)
    except port.PlatformError:
        return None
    return {str(r.get("agentId")) for r in runs
            if isinstance(r, dict) and r.get("status") == "running"}


def running_run(platform: port.Platform, item: Item) -> bool:
    """Whether the agent must wait (a running run, or no way to tell yet)."""
    running = _running(platform, _company(platform, item))
    return running is None or item.target in running


def ended(platform: port.Platform, waiting: list[Item]) -> list[Item]:
    """The draining agents whose running run has ended: one read per company."""
    by_company: dict[str | None, list[Item]] = {}
    for item in waiting:
        by_company.setdefault(_company(platform, item), []).append(item)
    out = []
    for company, items in by_company.items():
        running = _running(platform, company)
        if running is not None:
            out += [i for i in items if i.target not in running]
    return out
