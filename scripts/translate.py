"""Fill Vietnamese translations into a catalog from a JSON file of {english: vietnamese}.

Usage: python scripts/translate.py tracker/i18n/core/vi/LC_MESSAGES/messages.po strings.json
Keeps existing translations unless the JSON gives a new one; reports msgids still untranslated.
"""
import json
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, json_path: str) -> None:
    with open(po_path, "rb") as f:
        catalog = read_po(f, locale="vi")
    with open(json_path, encoding="utf-8") as f:
        table = json.load(f)
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in table:
            message.string = table[message.id]
            message.flags.discard("fuzzy")
    with open(po_path, "wb") as f:
        write_po(f, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(missing)} untranslated")
    for m in missing:
        print("  ", m)


if __name__ == "__main__":
    main(*sys.argv[1:])
