"""The Hebrew catalog keeps up with the code: every msgid in the templates and in the
Python that renders them is translated, nothing stale stays behind, the shipped .mo
is the compiled .po, and no template shows English that gettext never sees.

When one fails: `.venv/bin/python scripts/i18n`, translate the entries it lists in
opsweb/translations/he/LC_MESSAGES/opsweb.po, then `scripts/i18n compile`."""
from __future__ import annotations

import importlib.machinery
import importlib.util
import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup, NavigableString

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "opsweb" / "templates" / "opsweb"
HEBREW = ROOT / "opsweb" / "translations" / "he" / "LC_MESSAGES"
FIX = "run `.venv/bin/python scripts/i18n`, translate, then `scripts/i18n compile`"


def _load_i18n_script():
    loader = importlib.machinery.SourceFileLoader("opsweb_i18n_script",
                                                  str(ROOT / "scripts" / "i18n"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _catalog():
    with open(HEBREW / "opsweb.po", "rb") as f:
        return read_po(f, locale="he")


def _listed(ids) -> str:
    return "\n  ".join(repr(i) for i in sorted(ids))


def _key(msgid) -> str:
    """A plural entry is known by its singular msgid."""
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid


def _translated(string) -> bool:
    return all(string) if isinstance(string, (tuple, list)) else bool(string)


def test_every_visible_string_is_in_the_hebrew_catalog_and_nothing_stale():
    extracted = _load_i18n_script().msgids()
    assert {"Active agents", "Stop", "Run cancelled.", "<1 m", "critical"} <= extracted
    in_po = {_key(m.id) for m in _catalog() if m.id}
    missing, stale = extracted - in_po, in_po - extracted
    assert not missing, f"not in the Hebrew catalog ({FIX}):\n  {_listed(missing)}"
    assert not stale, (f"in the Hebrew catalog but no longer in the code ({FIX}):\n"
                       f"  {_listed(stale)}")


def test_every_hebrew_entry_is_translated_and_keeps_its_placeholders():
    catalog = _catalog()
    untranslated = {_key(m.id) for m in catalog if m.id and (not _translated(m.string) or m.fuzzy)}
    assert not untranslated, f"untranslated or fuzzy ({FIX}):\n  {_listed(untranslated)}"
    # python-format entries must use exactly the msgid's %(name)s placeholders
    problems = [f"{m.id!r}: {err}" for m in catalog if m.id for err in m.check(catalog)]
    assert not problems, "\n".join(problems)


def test_the_shipped_mo_is_the_compiled_po():
    with open(HEBREW / "opsweb.mo", "rb") as f:
        compiled = {_key(m.id): tuple(m.string) if isinstance(m.string, (tuple, list)) else m.string
                    for m in read_mo(f) if m.id}
    source = {_key(m.id): tuple(m.string) if isinstance(m.string, (tuple, list)) else m.string
              for m in _catalog() if m.id and _translated(m.string) and not m.fuzzy}
    assert compiled == source, "opsweb.mo is older than opsweb.po: run `scripts/i18n compile`"


def test_the_package_ships_the_compiled_catalog():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"translations/*/LC_MESSAGES/*.mo"' in pyproject
    assert re.search(r'"flask-babel>=4', pyproject)


# ---- templates: visible text goes through gettext ------------------------------------
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# attributes a person reads (or hears, for aria-label); data-ow-ask is the confirm dialog's text
_READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-ow-ask", "value")
# an English literal printed by an expression: {{ "Stop" if … }}, … else "Reset" …
_PRINTED_LITERAL = re.compile(r"""(?:\{\{|\belse\b|\bor\b)\s*\(?\s*["'][A-Z][a-z]""")


def _words(text: str) -> bool:
    """Letters, apart from the product's own name (the page title says `… · opsweb`)."""
    return bool(re.search(r"[^\W\d_]", re.sub(r"\bopsweb\b", "", text)))


def untranslated_text(source: str) -> list[str]:
    """What a template would show in English whatever the language: letters in its
    text or readable attributes outside {{ … }} / {% … %}, and printed literals."""
    found = [expr for expr in re.findall(r"\{\{.*?\}\}", source, re.S)
             if _PRINTED_LITERAL.search(expr)]
    # an expression leaves a placeholder; what surrounds it is the template's own text
    soup = BeautifulSoup(_JINJA.sub(" ", source), "html.parser")
    found += [t.strip() for t in soup.find_all(string=True)
              if type(t) is NavigableString and _words(t)]  # not the doctype
    for tag in soup.find_all(True):
        found += [f'{tag.name} {name}="{tag[name]}"' for name in _READ_ATTRIBUTES
                  if name in tag.attrs and _words(str(tag[name]))]
    return found


def test_the_check_finds_english_left_in_a_template():
    assert untranslated_text('<p class="x">Hello {{ name }}</p>') == ["Hello"]
    assert untranslated_text('<button aria-label="Close it">{{ _("Close") }}</button>') == [
        'button aria-label="Close it"']
    assert untranslated_text('<td>{{ "Stop" if a else "Reset" }}</td>') == [
        '{{ "Stop" if a else "Reset" }}']
    assert untranslated_text('<p title="{{ _(\'x\') }}">{{ _("Hello") }} · {{ n }}</p>') == []


def test_no_template_shows_text_that_is_not_translated():
    leftovers = {path.name: untranslated_text(path.read_text(encoding="utf-8"))
                 for path in sorted(TEMPLATES.glob("*.html"))}
    leftovers = {name: found for name, found in leftovers.items() if found}
    assert not leftovers, ("wrap these in {{ _(\"…\") }} (then run scripts/i18n):\n"
                           + "\n".join(f"  {name}: {found}" for name, found in leftovers.items()))
