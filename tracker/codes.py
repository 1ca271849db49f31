"""The one rule for unit and working-group codes: they go into URLs, reminder links and file names."""
from __future__ import annotations

import re
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

CODE_MAX = 30
# ASCII letters, digits, ".", "-", "_": nothing a URL, a path segment or a file name must escape
CODE_PATTERN = r"^[A-Za-z0-9._-]{1,30}$"
_CODE = re.compile(CODE_PATTERN)
CODE_HELP = _l("A code is 1 to 30 characters: letters A–Z or a–z, digits, '.', '-' or '_' "
               "(no spaces, no accents).")


def code_problem(code: object) -> Optional[str]:
    """The reason a code is refused (in the reader's language), or None when it is a valid code."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return _("A code is 1 to 30 characters: letters A–Z or a–z, digits, '.', '-' or '_' "
                 "(no spaces, no accents).")
    return None
