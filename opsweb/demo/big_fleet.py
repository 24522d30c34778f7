"""A big fleet on demand (POST /__demo/fleet): N more companies, each with agents that
run one heartbeat at a time and queue the rest — what a busy Paperclip looks like.
For the bench and the tests of a 2,000-run panel; the seeded world stays as it is."""
from __future__ import annotations

from . import scripts
from .model import Agent, Company

ADAPTERS = ("claude_local", "codex_local", "process")


def add(world, companies: int, runs_per_company: int, agents_per_company: int = 10) -> dict:
    if not (1 <= companies <= 100 and 1 <= runs_per_company <= 500
            and 1 <= agents_per_company <= runs_per_company):
        raise ValueError("companies 1-100, runsPerCompany 1-500, agentsPerCompany 1-runsPerCompany")
    made = []
    with world._lock:
        now = world.clock.now()
        first = len(world.companies)
        for c in range(companies):
            company = Company(id=world._new_id(), name=f"Fleet {first + c + 1:03d}",
                              issue_prefix=f"F{first + c + 1}", created_at=now - 86400)
            world.companies[company.id] = company
            agents = [_agent(world, company, a, now) for a in range(agents_per_company)]
            for n in range(runs_per_company):
                agent = agents[n % agents_per_company]
                # ages spread across the minute, so they do not all tick over at once
                created = now - 60 * (runs_per_company - n) - world._rng.uniform(0, 60)
                run = world._new_run(agent, created, "timer", "heartbeat",
                                     None, reason="big fleet", autoplay=False)
                if n < agents_per_company:  # each agent runs its oldest; the rest wait
                    world._start(run, run.created_at + 0.1)
                made.append(run.id)
    return {"companies": companies, "runs": len(made)}


def _agent(world, company: Company, n: int, now: float) -> Agent:
    adapter = ADAPTERS[n % len(ADAPTERS)]
    agent = Agent(id=world._new_id(), company_id=company.id, name=f"{company.name} agent {n + 1}",
                  url_key=f"agent-{n + 1}", role="engineer", title=None, icon=None,
                  adapter_type=adapter, adapter_config={}, script=scripts.script_for_adapter(adapter),
                  max_concurrent_runs=1, heartbeat_enabled=False, interval_sec=3600,
                  created_at=now - 86400)
    world.agents[agent.id] = agent
    return agent
