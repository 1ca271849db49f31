"""Every string the code marks for translation has one Vietnamese translation, the same in every catalog."""
from collections import defaultdict
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}


def catalogs():
    for po in sorted((ROOT / "tracker" / "i18n").glob("*/vi/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            yield po.parts[-4], read_po(f, locale="vi")  # the area: tracker/i18n/<area>/vi/LC_MESSAGES


def translations():
    table = defaultdict(dict)
    for area, catalog in catalogs():
        for message in catalog:
            if message.id:
                key = message.id if isinstance(message.id, str) else message.id[0]
                table[key][(area, message.context)] = message.string if isinstance(message.string, str) else tuple(message.string)
    return table


def code_msgids():
    found = {}
    for folder in ("tracker", "templates"):
        for filename, _lineno, message, _comments, _context in extract_from_dir(
                ROOT / folder, METHODS, keywords=KEYWORDS, options_map={"**.html": {}, "**.txt": {}}):
            msgid = message if isinstance(message, str) else message[0]
            if msgid:
                found.setdefault(msgid, f"{folder}/{filename}")
    return found


def test_every_marked_string_has_a_vietnamese_translation():
    table = translations()
    marked = code_msgids()
    assert len(marked) > 300  # the extraction really reads the code
    missing = {m: where for m, where in marked.items()
               if not any(v if isinstance(v, str) else all(v) for v in table.get(m, {}).values())}
    assert not missing, f"{len(missing)} strings without Vietnamese: {list(missing.items())[:10]}"


def test_catalogs_agree_on_shared_strings():
    def one_context(per):
        return {ctx: {s for (_area, c), s in per.items() if c == ctx} for (_a, ctx) in per}
    clashes = {m: per for m, per in translations().items() if any(len(v) > 1 for v in one_context(per).values())}
    assert not clashes, f"the same string translated differently: {list(clashes.items())[:5]}"
