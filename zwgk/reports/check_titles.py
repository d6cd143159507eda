"""Check titles for the reports, read from the check catalogue's declarations without importing it.

The titles are declared beside each check (`@check(id=..., title=...)` in zwgk/checks/<family>.py).
Importing the families to read them pulls in the whole page-understanding stack (about a second in
a fresh `zwgk report` process), so the reports read the decorators' literal arguments from the
source instead. A declaration that cannot be read that way (no source shipped, a computed title,
an id of the catalogue not found) falls back to importing the registry.
tests/test_reports_labels.py holds the two readings equal.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from importlib import resources

# From a decorator line "@check(" up to the decorated function's "def": the decorator's arguments.
_DECLARATION = re.compile(r"^@check\((.*?)^(?:async\s+)?def\s", re.S | re.M)


def _declared(source: str) -> dict[str, str] | None:
    """id → title of every @check in one module's source; None if one of them is not literal."""
    out: dict[str, str] = {}
    for m in _DECLARATION.finditer(source):
        try:
            call = ast.parse("check(" + m[1].strip(), mode="eval").body
            kw = {k.arg: k.value for k in call.keywords} if isinstance(call, ast.Call) else {}
            cid, title = ast.literal_eval(kw["id"]), ast.literal_eval(kw["title"])
        except (SyntaxError, KeyError, ValueError):
            return None
        if not (isinstance(cid, str) and isinstance(title, str)):
            return None
        out[cid] = title
    return out


def _from_source() -> dict[str, str] | None:
    titles: dict[str, str] = {}
    try:
        files = [f for f in resources.files("zwgk.checks").iterdir() if f.name.endswith(".py")]
        for f in sorted(files, key=lambda f: f.name):
            found = _declared(f.read_text(encoding="utf-8"))
            if found is None:
                return None
            titles.update(found)
    except (OSError, ModuleNotFoundError):
        return None
    return titles


def _from_registry() -> dict[str, str]:
    try:
        from zwgk.checks.registry import all_checks
    except ImportError:  # pragma: no cover - reports stay usable without the checks package
        return {}
    return {cid: chk.meta.title for cid, chk in all_checks().items()}


@cache
def check_titles() -> dict[str, str]:
    """Check id → title ('column.missing' → '必设栏目已开设') for every declared check."""
    # the id contract alone: importing the registry module loads no check family
    from zwgk.checks.registry import CHECK_IDS

    titles = _from_source()
    if titles is None or not set(CHECK_IDS) <= titles.keys():      # a declaration the reading missed
        return _from_registry()
    return titles
