"""What operators (and rules) do to the fleet: Stop, Reset, Pause and Resume through
the port (perform.py), each one audited before it is sent and completed after the
answer (audited.py over the audit store, audit.py), with an optional reason checked
by reason.py.

Actions reach Paperclip only through opsweb.platform_port; they may read fleet/ (run
statuses, names) and use i18n/ and runtime/, never opsweb.web or Flask's request:
a rule acting at night calls the same code as an operator's button.
"""
