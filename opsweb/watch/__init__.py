"""Guard rails: operator-written rules (rules.py, a TOML file) evaluated in the
background (loop.py) over the same coalesced fleet reads the panel makes, acting
through the audited action path (actions/audited.py) only while this instance holds
the lease (lease.py), and every attention item kept as an incident with its opened and
resolved times and the actions taken on it (incidents.py). May import fleet/,
actions/, runtime/, i18n/ and the port; never web/ or Flask's request globals."""
