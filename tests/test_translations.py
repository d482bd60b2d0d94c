"""The Spanish catalogue is complete, and the compiled catalogues match their sources."""

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def test_every_string_has_a_spanish_translation():
    catalogue = polib.pofile(str(LOCALE / "es" / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalogue if not entry.translated() and not entry.obsolete]
    assert untranslated == []


def _lookup(compiled: gettext.GNUTranslations, entry: polib.POEntry) -> str:
    """What the compiled catalogue gives for an entry, in its context (pgettext) if it has one."""
    return compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)


@pytest.mark.parametrize("language", ["es", "en"])
def test_compiled_catalogue_is_up_to_date(language):
    folder = LOCALE / language / "LC_MESSAGES"
    source = polib.pofile(str(folder / "django.po"))
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        entry.msgid
        for entry in source.translated_entries()
        if not entry.msgid_plural and _lookup(compiled, entry) != entry.msgstr
    ]
    assert stale == [], "run 'make messages' to recompile the catalogues"
