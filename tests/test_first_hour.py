"""What a new user meets in the first hour: the demo's ids, its separate audit trail,
the panel's counts and phase labels, the trailing-slash page."""
from opsweb.demo import seed


def test_demo_ids_differ_in_their_first_8_characters():
    for ids in ([c["id"] for c in seed.COMPANIES], [a["id"] for a in seed.AGENTS],
                [r["id"] for r in seed.RUNS], [i["id"] for i in seed.ISSUES]):
        assert len({i[:8] for i in ids}) == len(ids), ids
