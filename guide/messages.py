"""The `messages` command: the gettext workflow of extracting the messages, updating the
catalogs with them and checking that the catalogs compile."""
from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from .config import Config
from .errors import BuildFailed
from .i18n import DOMAIN, TRANSLATED_LANGS, catalog_problems, checked_catalog, extracted_catalog, po_path, pot_path, read_catalog


def extract(config: Config) -> str:
    catalog = extracted_catalog(config)
    with pot_path(config).open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, sort_output=True)
    return f"extracted {len(catalog)} messages to {pot_path(config).relative_to(config.root)}"


def update(config: Config) -> str:
    template = extracted_catalog(config)
    catalogs = {lang: readable_catalog(config, lang) for lang in TRANSLATED_LANGS}
    lines = []
    for lang, catalog in catalogs.items():
        path = po_path(config, lang)
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, sort_output=True, ignore_obsolete=False)
        missing = sum(1 for m in catalog if m.id and not m.string)
        lines.append(f"updated {path.relative_to(config.root)}: {len(catalog)} messages, {missing} to translate")
    return "\n".join(lines)


def readable_catalog(config: Config, lang: str) -> Catalog:
    """A language's catalog, read strictly, or a new one if there is none; raise BuildFailed if it
    cannot be read whole: written back, a catalog read past its broken lines would lose them."""
    path = po_path(config, lang)
    if not path.is_file():
        return Catalog(locale=lang, domain=DOMAIN)
    catalog, problems = checked_catalog(path.read_bytes(), lang, str(path.relative_to(config.root)))
    if catalog is None:
        raise BuildFailed(problems)
    return catalog


def compile_check(config: Config) -> str:
    problems = catalog_problems(config)
    if problems:
        raise BuildFailed(problems)
    sizes = {lang: len(read_catalog(po_path(config, lang), lang)) for lang in TRANSLATED_LANGS}
    return "catalogs compile cleanly: " + ", ".join(f"{lang} {n} messages" for lang, n in sizes.items())


MESSAGE_ACTIONS = {"extract": extract, "update": update, "compile": compile_check}
