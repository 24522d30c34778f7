"""Sentences opsweb writes for a person, in English, that a page can still show in the
operator's language.

A `Said` is the English sentence (a plain `str` everywhere: logs, the JSON twins, the
audit trail, comparisons), and it remembers its gettext message id and parameters.
Jinja asks any value for `__html__` before escaping it, so a page that shows a Said
shows it translated into the request's language — no template needs to know which
values are sentences. Parameters are what the sentence quotes (a URL, Paperclip's own
words, another Said); in a translated sentence they are isolated (FSI…PDI), so a URL
or an English error keeps its order inside a right-to-left sentence.

`Said("…")` calls are what Babel extracts from Python (babel.cfg): msgids must be
literal strings with %(name)s placeholders.
"""
from __future__ import annotations

from typing import Callable

from markupsafe import escape

# U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE: <bdi> for plain text
# (the same sentence may land in an attribute, where tags would show as text).
FSI, PDI = "\u2068", "\u2069"

# Set by opsweb.i18n.language when an app is set up: msgid → the request's translation, or
# None when the request's language is English (the sentence is shown as written).
_translator: Callable[[str], str | None] = lambda msgid: None


def use_translator(translate: Callable[[str], str | None]) -> None:
    global _translator
    _translator = translate


def gettext(msgid: str) -> str:
    """`msgid` in the request's language (as written when that is English)."""
    translation = _translator(msgid)
    return msgid if translation is None else translation


class Said(str):
    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params) -> "Said":
        self = super().__new__(cls, msgid % params if params else msgid)
        self.msgid, self.params = msgid, params
        return self

    def translated(self) -> str:
        translation = _translator(self.msgid)
        if translation is None:
            return str(self)
        if not self.params:
            return translation
        return translation % {name: FSI + (value.translated() if isinstance(value, Said)
                                           else str(value)) + PDI
                              for name, value in self.params.items()}

    def __html__(self) -> str:
        return str(escape(self.translated()))
