"""What a host page writes to show the panel, whatever prefix opsweb is mounted under:
`{{ opsweb_head() }}` in its <head>, `{{ opsweb_panel() }}` where the panel goes.
Jinja globals of any app the panel blueprint is registered on."""
from __future__ import annotations

from flask import Blueprint, render_template
from markupsafe import Markup


def opsweb_head() -> Markup:
    return Markup(render_template("opsweb/_head.html"))


def opsweb_panel() -> Markup:
    return Markup(render_template("opsweb/_placeholder.html"))


def register(blueprint: Blueprint) -> None:
    blueprint.add_app_template_global(opsweb_head)
    blueprint.add_app_template_global(opsweb_panel)
