"""Compile every locale/*/LC_MESSAGES/django.po to .mo with Babel (no GNU gettext needed).

Used by `make messages` and the Dockerfile. It follows msgfmt, which Django's compilemessages
calls: the header's "#, fuzzy" flag (which makemessages always writes) does not matter, fuzzy
and empty translations are left out. `pybabel compile` instead skips a whole catalog whose
header is fuzzy, so a fresh makemessages file would silently compile to nothing.
Only catalogs whose .mo is missing or older than the .po are compiled.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

SKIP_DIRS = {".venv", "node_modules", ".git"}


def catalogs(root: Path) -> list[Path]:
    found = []
    for po in root.glob("**/locale/*/LC_MESSAGES/django.po"):
        if not SKIP_DIRS.intersection(po.relative_to(root).parts):
            found.append(po)
    return sorted(found)


def locale_of(po: Path) -> Locale | None:
    try:
        return Locale.parse(po.parent.parent.name)
    except (ValueError, UnknownLocaleError):
        return None


def compile_catalog(po: Path, root: Path) -> bool:
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return True
    name = po.relative_to(root)
    try:
        with po.open("rb") as f:
            catalog = read_po(f, abort_invalid=True)
    except PoFileError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return False
    if catalog.locale is None:
        # makemessages leaves "Language:" empty; without a locale Babel would drop the
        # Plural-Forms header from the .mo, so the folder names the language.
        catalog.locale = locale_of(po)
    problems = [
        f"{name}:{message.lineno}: {error}"
        for message, errors in catalog.check()
        for error in errors
    ]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return False
    messages = [m for m in list(catalog)[1:] if m.id]
    done = [m for m in messages if m.string and not m.fuzzy]
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    tmp.replace(mo)
    print(f"{name}: {len(done)} of {len(messages)} messages translated -> {mo.name}")
    return True


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    results = [compile_catalog(po, root) for po in catalogs(root)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
