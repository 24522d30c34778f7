"""Notifications: the fleet calls out when an incident opens or resolves or a rule acts.

events.py builds an event (pure); outbox.py keeps every event in the audit database
before anything is sent, one row per receiver, with its attempts and backoff;
webhook.py signs a body and POSTs it to one receiver (requests, a total deadline, no
redirects, never to Paperclip); sender.py is the background thread per receiver that
delivers what is due while this instance is the acting one; metrics.py counts them.
Nothing here imports opsweb.web or Flask's request globals; it may import runtime/
and actions.audit (the Store it writes through).
"""
