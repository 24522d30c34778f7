"""The views: one function per operation, answering both families (web/routes.py
registers each under the HTML and the JSON blueprint). Split by what they show: the
panel, logs, actions, agents, batches, watch, notifications, sign-in, and the searches
inside transcripts (search.py)."""
