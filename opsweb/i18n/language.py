"""The panel's language: English or Hebrew, chosen per request, through Flask-Babel.

Where the choice comes from, first that answers: the host's `language=` callable
(init_app), then OPSWEB_LANGUAGE (`en`, `he`, or `auto` = the browser's
Accept-Language). Only the panel's pages and fragments are translated: the JSON twins,
metrics and log lines stay English, because machines read them.

opsweb's strings live in their own gettext domain (`opsweb`, catalogs in
opsweb/translations), so a host app that uses Flask-Babel keeps its own catalogs and
its own locale for its own pages; set Flask-Babel up before calling opsweb.init_app.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, Domain, get_babel, get_locale, get_translations
from jinja2 import pass_context

from opsweb.i18n import said
from opsweb.i18n.words import AGENT_LABELS, LABELS, PAUSE_REASONS

TRANSLATIONS = Path(__file__).parents[1] / "translations"
DOMAIN = Domain(translation_directories=[str(TRANSLATIONS)], domain="opsweb")
LANGUAGES = ("en", "he")
SETTINGS = ("auto", *LANGUAGES)
RIGHT_TO_LEFT = frozenset({"he"})
PANEL = "opsweb_panel"  # the blueprint whose answers people read
_EXTENSION = "opsweb_language"


def check_setting(value: str) -> str:
    if value not in SETTINGS:
        raise ValueError(f"OPSWEB_LANGUAGE must be one of {', '.join(SETTINGS)}, got {value!r}")
    return value


def install(app: Flask, setting: str, hook: Callable[[], str | None] | None = None) -> None:
    """Set up Flask-Babel on `app` (or join the host's): opsweb's locale for the
    panel's requests, and gettext in Jinja and in `Said` sentences."""
    check_setting(setting)
    app.extensions[_EXTENSION] = (setting, hook)
    if "babel" not in app.extensions:
        Babel(app)
    babel = get_babel(app)
    host_selector = babel.locale_selector

    def select_locale():
        if request.blueprint == PANEL:
            return current_language()
        return host_selector() if host_selector else None
    babel.locale_selector = select_locale
    # Jinja's gettext is the app's: opsweb's catalog for opsweb's answers, the host's
    # (Flask-Babel's default domain) for its own pages.
    def catalog():
        return DOMAIN.get_translations() if _is_panel() else get_translations()
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n), newstyle=True)
    said.use_translator(translate)


def current_language() -> str:
    setting, hook = current_app.extensions[_EXTENSION]
    chosen = hook() if hook else None
    if chosen in LANGUAGES:
        return chosen
    if setting != "auto":
        return setting
    # the browser's most preferred language we speak, by its primary tag: werkzeug's
    # best_match would prefer an exact "he" at q=0.5 over "en-US" at q=1
    for value, _quality in request.accept_languages:  # most preferred first
        primary = value.split("-")[0].lower()
        primary = "he" if primary == "iw" else primary  # Hebrew's old code
        if primary in LANGUAGES:
            return primary
    return "en"


def _is_panel() -> bool:
    return has_request_context() and request.blueprint == PANEL


def translate(msgid: str) -> str | None:
    """The request's translation of `msgid`, or None when the page is in English."""
    if code() == "en":
        return None
    return DOMAIN.get_translations().ugettext(msgid)


gettext = said.gettext  # the request's language, through the translator installed above


def label(value: str | None, of: str = "run") -> str:
    """A status, level, outcome or kind as a word in the page's language; `of="agent"`
    for an agent's status."""
    if value is None:
        return ""
    if of == "pause":  # an agent's pauseReason
        return gettext(PAUSE_REASONS[value]) if value in PAUSE_REASONS else value
    if of == "agent" and value in AGENT_LABELS:
        word = AGENT_LABELS[value]
        return word if code() == "en" else DOMAIN.get_translations().upgettext(of, word)
    return gettext(LABELS.get(value, value.replace("_", " ")))


def code() -> str:
    """The language of this request's page."""
    return str(get_locale()) if _is_panel() else "en"


@pass_context
def label_filter(_context, value: str | None, of: str = "run") -> str:
    """`label` for templates. Taking the context keeps Jinja from computing
    `{{ "ok" | ow_label }}` once at compile time, in whichever language came first."""
    return label(value, of)


def page_attributes() -> dict:
    """For the roots of the page and of each fragment, so an embedded fragment carries
    its own language and direction into a host page."""
    lang = code()
    return {"ow_lang": lang, "ow_dir": "rtl" if lang in RIGHT_TO_LEFT else "ltr"}
