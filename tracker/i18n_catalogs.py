"""Translation catalogs: compiled at start when a .po is newer than its .mo, so a clean clone is Vietnamese."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)
I18N = Path(__file__).parent / "i18n"


def translation_directories() -> list[str]:
    """Every catalog directory under tracker/i18n (one per area: core, reminders, reports …)."""
    return sorted(str(p) for p in I18N.iterdir() if p.is_dir()) if I18N.exists() else []


def compile_catalogs() -> int:
    """Compile every stale .po to .mo; return how many were written."""
    written = 0
    for po in I18N.glob("*/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        tmp = mo.with_suffix(f".mo.{os.getpid()}")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, mo)  # atomic: two processes starting at once never read half a file
        written += 1
    if written:
        log.info("compiled %d translation catalogs", written)
    return written
