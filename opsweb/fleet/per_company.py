"""One coalesced read per company, all at once, within one deadline: what the history
and spend readers share. A company that fails or is too slow becomes a line in
`errors` ({companyId, companyName, error}); the others are answered all the same."""
from __future__ import annotations

import concurrent.futures as cf
import time
from typing import Any, Callable

from opsweb import platform_port as port
from opsweb.fleet.coalesce import Coalescer
from opsweb.i18n.said import Said


def read_each(pool: cf.Executor, cache: Coalescer, companies: list[dict],
              load: Callable[[dict], Any], deadline: float) -> tuple[list[Any], list[dict]]:
    started = time.monotonic()
    futures = {c["id"]: pool.submit(cache.get, c["id"], load, c) for c in companies}
    answers, errors = [], []
    for company in companies:
        remaining = max(0.05, deadline - (time.monotonic() - started))
        try:
            answers.append(futures[company["id"]].result(timeout=remaining))
        except cf.TimeoutError:
            errors.append(error(company, Said(
                "Paperclip did not answer for this company in %(seconds)s s",
                seconds=format(deadline, "g"))))
        except port.PlatformError as err:
            errors.append(error(company, err.message))
    return answers, errors


def error(company: dict, message: str) -> dict:
    return {"companyId": company["id"], "companyName": company["name"], "error": message}
