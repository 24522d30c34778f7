"""The HTTP face: blueprints and the route table (routes.py), the views (views/),
OpenAPI, sign-in and sessions, CSRF, allowed hosts, security headers, compression,
versioned static assets, embedding helpers, the panel's diffed updates, the log
dialog's DOM bounds, Prometheus metrics and fault reporting.

The only layer that knows Flask's request. It may import every layer below it
(fleet/, actions/, transcript/, i18n/, runtime/ and the port); nothing below imports it.
"""
