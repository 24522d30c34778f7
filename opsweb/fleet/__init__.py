"""What is happening in the fleet: live runs across companies (live.py), their
coalesced reads (coalesce.py), over-cap completion, finished runs (history.py), agents
and their cards (agents.py), what needs an operator (attention.py), grouping and
filters of the panel's rows, run statuses, run logs (runlog.py) and searches inside
them (search.py scans, search_runs.py runs them for a run or an agent's last runs).

Reads only: everything here reaches Paperclip through opsweb.platform_port, never
HTTP of its own, and knows nothing of Flask's request or of opsweb.web. It may import
transcript/, i18n/ (words and sentences, not the request's language) and runtime/.
"""
