"""What every layer leans on and nothing in it knows of Paperclip or Flask: the
injected clock, logging set-up, memory hints for big downloads, the JSON style
(camelCase), cleaning of untrusted values, redaction of credentials, and a total
deadline for an HTTP call (deadline.py). Imports nothing of opsweb but transcript's
ANSI stripping.
"""
