"""Keeping the message catalogs in step with the code (``make messages``; README: Languages).

``extract()`` reads every message the code marks (``_``, ``ngettext``, ``pgettext``, ``N_``,
``NP_``) with Babel's extractor; ``update()`` merges it into each language's .po: new messages
arrive untranslated, changed ones fuzzy (with the old translation as a hint), and messages the
code no longer uses are dropped. The .po files name the files a message is used in, not line
numbers (so an edit elsewhere in a file does not touch the catalog). The tests run
the same extraction and fail on a message without a Korean translation or a catalog entry the
code no longer uses.

    python -m launchboard.i18n_catalog          # update the catalogs, list what needs translating
    python -m launchboard.i18n_catalog --check  # only say what is missing or stale (exit 1 if any)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from .i18n import DOMAIN, LANGS, LOCALES, NAMES, po_path

ROOT = LOCALES.parent
SOURCES = ("app.py", "app_pages", "ui", "launchboard")  # everything that speaks to people
KEYWORDS = {
    "_": None, "gettext": None, "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2), "NP_": ((1, "c"), 2),
}
COMMENT_TAGS = ("TRANSLATORS:",)
TRANSLATED = ("ko",)  # catalogs that must be complete (English is the code's own text)


def _skip(path: str) -> bool:
    # The sample generator writes data, not interface text.
    return "/generator/" in path.replace("\\", "/") + "/" or "__pycache__" in path


def extract() -> Catalog:
    """Every message the code marks, with where it is used."""
    catalog = Catalog(domain=DOMAIN, project="Launchboard", charset="utf-8", fuzzy=False)
    for source in SOURCES:
        path = ROOT / source
        found = ([(path.name, lineno, message, comments, context)
                  for lineno, message, comments, context in _extract_file(path)]
                 if path.is_file() else
                 [(f"{source}/{name}", lineno, message, comments, context)
                  for name, lineno, message, comments, context in extract_from_dir(
                      path, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
                      strip_comment_tags=True, directory_filter=lambda d: not _skip(d))])
        for name, lineno, message, comments, context in found:
            if _skip(name):
                continue
            catalog.add(message, None, [(name, lineno)], auto_comments=comments, context=context)
    return catalog


def _extract_file(path: Path):
    from babel.messages.extract import extract

    with path.open("rb") as f:
        yield from extract("python", f, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True)


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def _key(message) -> tuple:
    return (message.id, message.context)


def problems(lang: str, code: Catalog | None = None) -> dict[str, list[str]]:
    """What the catalog of ``lang`` lacks or holds in excess against the code: ``missing``
    (no translation, or fuzzy), ``unused`` (not in the code any more), ``placeholders``
    (a translation that drops or invents a ``{name}``)."""
    import string

    code = code if code is not None else extract()
    cat = read(lang)
    used = {_key(m) for m in code if m.id}
    out: dict[str, list[str]] = {"missing": [], "unused": [], "placeholders": []}
    for m in code:
        if not m.id:
            continue
        have = cat.get(m.id, m.context)
        strings = have.string if have is not None else None
        forms = strings if isinstance(strings, (tuple, list)) else (strings,)
        if have is None or have.fuzzy or not all(forms):
            out["missing"].append(_label(m))
            continue
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        names = {f for i in ids for _, f, _, _ in string.Formatter().parse(i) if f is not None}
        for form in forms:
            got = {f for _, f, _, _ in string.Formatter().parse(form) if f is not None}
            if got - names or (names - got and len(ids) == 1):
                out["placeholders"].append(_label(m))
                break
    out["unused"] = [_label(m) for m in cat if m.id and _key(m) not in used]
    return out


def _label(m) -> str:
    ident = m.id[0] if isinstance(m.id, (tuple, list)) else m.id
    return f"{m.context}|{ident}" if m.context else ident


def update() -> dict[str, dict[str, list[str]]]:
    """Merge the code's messages into every language's catalog; what each still needs."""
    template = extract()
    out = {}
    for lang in LANGS:
        path = po_path(lang)
        if lang not in TRANSLATED and not path.exists():
            continue
        if path.exists():
            cat = read(lang)
            created, revised = cat.creation_date, cat.revision_date
            cat.update(template, no_fuzzy_matching=False)
            cat.creation_date, cat.revision_date = created, revised  # no churn in the header
            cat.obsolete.clear()  # the code no longer uses them: gone (git keeps the history)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            cat = Catalog(locale=lang, domain=DOMAIN, project="Launchboard", charset="utf-8", fuzzy=False,
                          header_comment=f"# {NAMES.get(lang, lang)} messages of Launchboard (README: Languages).",
                          last_translator="Launchboard", language_team=NAMES.get(lang, lang))
            cat.update(template)
        cat.fuzzy = False
        with path.open("wb") as f:
            write_po(f, cat, width=100, sort_output=False, include_previous=True, include_lineno=False)
        if lang in TRANSLATED:
            out[lang] = problems(lang, template)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launchboard.i18n_catalog", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report; change no file")
    args = parser.parse_args(argv)
    found = {lang: problems(lang) for lang in TRANSLATED} if args.check else update()
    bad = False
    for lang, probs in found.items():
        for kind, items in probs.items():
            if items:
                bad = True
                print(f"{lang}: {len(items)} {kind}:", file=sys.stderr)
                for item in items:
                    print(f"  {item!r}", file=sys.stderr)
    if not bad:
        print("catalogs complete: " + ", ".join(found))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
