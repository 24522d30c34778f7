"""Fixtures for the contract suite: a REAL Paperclip server and a seed on it.

`real_paperclip` (session) gives the base URL (without /api):
  1. env OPSWEB_REAL_PAPERCLIP_URL set  -> that server (must answer /api/health, else an error);
  2. env CI set                         -> `scripts/real-paperclip start` in a private run folder,
                                           stopped at session end; any failure is a test ERROR with
                                           the script's reason: in CI this suite never skips;
  3. a server started by hand with `scripts/real-paperclip start` (default run folder) -> that one;
  4. otherwise every `contract`-marked test is skipped with one reason line.
`seeded` (session) runs seed.seed() on it and returns the Seeded ids.
OPSWEB_REAL_PAPERCLIP_TOKEN (optional) is sent as a bearer by the seed, for a non-local_trusted server.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests

from .seed import Seeded, SeedError, seed

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "real-paperclip"
SKIP_REASON = "contract suite did not run: set OPSWEB_REAL_PAPERCLIP_URL or run scripts/real-paperclip start"
# install (~80 s from nothing) + start (~10 s) with a wide margin; CI's whole step must fit 15 min.
START_TIMEOUT_S = 600


def _hand_started_url() -> str | None:
    """URL of a server started by hand with scripts/real-paperclip (default run folder), if healthy."""
    if not SCRIPT.exists():
        return None
    env = {k: v for k, v in os.environ.items() if k != "OPSWEB_PAPERCLIP_RUN_DIR"}
    try:
        out = subprocess.run([str(SCRIPT), "status"], capture_output=True, text=True, timeout=30, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    url = out.stdout.strip().splitlines()[-1] if out.returncode == 0 and out.stdout.strip() else ""
    return url or None


def _source() -> str:
    if os.environ.get("OPSWEB_REAL_PAPERCLIP_URL"):
        return "url"
    if os.environ.get("CI"):
        return "ci"
    if _hand_started_url():
        return "hand"
    return "none"


_SKIPPED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config, items):
    contract = [item for item in items if item.get_closest_marker("contract")]
    if contract and _source() == "none":
        config.stash[_SKIPPED] = True
        skip = pytest.mark.skip(reason=SKIP_REASON)
        for item in contract:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, config):
    if config.stash.get(_SKIPPED, False):
        terminalreporter.write_line(SKIP_REASON, yellow=True)


def _check_health(url: str) -> None:
    try:
        resp = requests.get(f"{url}/api/health", timeout=10)
        body = resp.json()
    except (requests.RequestException, ValueError) as exc:
        pytest.fail(f"real Paperclip at {url} did not answer /api/health: {exc}", pytrace=False)
    if resp.status_code != 200 or body.get("status") != "ok":
        pytest.fail(f"real Paperclip at {url}/api/health answered {resp.status_code}: {resp.text[:300]}",
                    pytrace=False)


@pytest.fixture(scope="session")
def real_paperclip():
    source = _source()
    if source == "url":
        url = os.environ["OPSWEB_REAL_PAPERCLIP_URL"].rstrip("/")
        _check_health(url)
        yield url
        return
    if source == "hand":
        url = _hand_started_url()
        _check_health(url)
        yield url
        return
    if source == "none":
        pytest.skip(SKIP_REASON)

    # CI: our own instance in our own run folder, so a hand-started one is never touched.
    run_dir = tempfile.mkdtemp(prefix="opsweb-paperclip-ci-")
    env = dict(os.environ, OPSWEB_PAPERCLIP_RUN_DIR=run_dir)
    env.pop("PORT", None)  # the script picks a free port (3100 or the next free one)
    try:
        started = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True,
                                 timeout=START_TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired as exc:
        _stop(env, run_dir)
        pytest.fail(f"scripts/real-paperclip start took over {START_TIMEOUT_S}s: {(exc.stderr or '')[-2000:]}",
                    pytrace=False)
    except OSError as exc:
        shutil.rmtree(run_dir, ignore_errors=True)
        pytest.fail(f"cannot run {SCRIPT}: {exc}", pytrace=False)
    if started.returncode != 0:
        _stop(env, run_dir)
        pytest.fail(f"scripts/real-paperclip start failed (exit {started.returncode}):\n"
                    f"{started.stderr[-4000:]}", pytrace=False)
    url = started.stdout.strip().splitlines()[-1]
    try:
        _check_health(url)
        yield url
    finally:
        _stop(env, run_dir)


def _stop(env: dict, run_dir: str) -> None:
    stopped = subprocess.run([str(SCRIPT), "stop"], capture_output=True, text=True, timeout=120, env=env)
    if stopped.returncode == 0:
        shutil.rmtree(run_dir, ignore_errors=True)
    else:  # keep the log for the post-mortem
        print(f"scripts/real-paperclip stop failed; log in {run_dir}:\n{stopped.stderr[-2000:]}")


@pytest.fixture(scope="session")
def seeded(real_paperclip) -> Seeded:
    try:
        return seed(real_paperclip, token=os.environ.get("OPSWEB_REAL_PAPERCLIP_TOKEN") or None)
    except SeedError as exc:
        pytest.fail(f"seeding the real Paperclip at {real_paperclip} failed: {exc}", pytrace=False)


# --- Added for the panel contract suite and the demo drift check (append-only) ---------
import uuid as _uuid  # noqa: E402

from .seed import PaperclipClient, wait_running_with_output  # noqa: E402

LIVE = ("queued", "running")


@pytest.fixture(scope="session")
def paperclip_api(seeded) -> PaperclipClient:
    """Plain HTTP to the real Paperclip (the seed's client), for a test's own reads and setup."""
    return PaperclipClient(seeded.base_url, token=os.environ.get("OPSWEB_REAL_PAPERCLIP_TOKEN") or None)


@pytest.fixture
def fresh_run(seeded, paperclip_api):
    """Factory: a run of its own for a test that stops or otherwise uses it up, so the seeded
    runs stay in place for everyone else.

        fresh_run()                                   # the runner agent: running, with output
        fresh_run(seeded.drainer_agent_id, "queued")  # queued behind the drainer's running run

    Returns GET /api/heartbeat-runs/:id (processPid and processGroupId set once running).
    A run still queued or running at the end of the test is cancelled, so no process is left.
    """
    made: list[str] = []

    def make(agent_id: str | None = None, status: str = "running") -> dict:
        agent_id = agent_id or seeded.runner_agent_id
        run = paperclip_api.wake(agent_id, f"contract: a {status} run of its own",
                                 idempotency_key=f"contract-{_uuid.uuid4()}")
        made.append(run["id"])
        if status == "running":
            return wait_running_with_output(paperclip_api, run["id"])
        now = paperclip_api.run(run["id"])
        if now["status"] != status:
            pytest.fail(f"fresh run {run['id']} of agent {agent_id} is {now['status']!r},"
                        f" expected {status!r}", pytrace=False)
        return now

    yield make
    for run_id in made:
        try:
            if paperclip_api.run(run_id)["status"] in LIVE:
                paperclip_api.post(f"/heartbeat-runs/{run_id}/cancel")
        except SeedError as exc:  # teardown must not mask the test's own outcome
            print(f"could not cancel fresh run {run_id}: {exc}")


# --- Added for the spend contract suite and the demo drift check (append-only) ----------
from .spend_seed import SpendSeeded, seed_spend  # noqa: E402


@pytest.fixture(scope="session")
def spend_seeded(real_paperclip) -> SpendSeeded:
    """A company of its own with budgets and cost events (spend_seed.py); no run."""
    client = PaperclipClient(real_paperclip, token=os.environ.get("OPSWEB_REAL_PAPERCLIP_TOKEN") or None)
    try:
        return seed_spend(client)
    except SeedError as exc:
        pytest.fail(f"seeding spend on the real Paperclip at {real_paperclip} failed: {exc}",
                    pytrace=False)
