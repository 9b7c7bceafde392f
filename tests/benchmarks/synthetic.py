"""Deterministic synthetic projects in the guide's own formats, for the build benchmark.

The real guide is the seed: its edition, providers, templates and catalogs are copied; districts,
organisations, programmes and prose pages are added until the project has about the requested
number of pages, with Korean and English text taken from the real data and prose.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PAGES_PER_LANG_FIXED = 3 + 12 + 3  # home, directory, schedule; months; data, brochure, search
SYLLABLES = "가나다라마바사아자차카타파하강남동서북중성원산천"
ROMAN = ["ga", "na", "da", "ra", "ma", "ba", "sa", "a", "ja", "cha", "ka", "ta", "pa", "ha",
         "gang", "nam", "dong", "seo", "buk", "jung", "seong", "won", "san", "cheon"]


def load(path: Path):
    return yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Writes every value out in full: the data format allows no anchors or aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump(data, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False), "utf-8")


def district_name(n: int) -> tuple[str, str]:
    """A made-up district name: (Korean, romanized) from two syllables and a number."""
    a, b = n % len(SYLLABLES), (n // len(SYLLABLES)) % len(SYLLABLES)
    return f"{SYLLABLES[a]}{SYLLABLES[b]}{n}구", f"{ROMAN[a].capitalize()}{ROMAN[b]}{n}-gu"


def make_project(dest: Path, pages: int, seed: int = 2019) -> Path:
    """Write a project of about `pages` pages (both languages) to dest; return dest."""
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    for folder in ("data", "content", "templates", "locales"):
        shutil.copytree(ROOT / folder, dest / folder)
    per_lang = pages // 2
    base_pages = 2 * 25 + 45 + 2  # the real guide's districts(+directory)… programmes and prose, per language
    extra = max(0, per_lang - PAGES_PER_LANG_FIXED - base_pages // 1)
    if extra:
        districts_n = max(1, extra // 10)
        prose_n = max(0, extra // 10)
        programmes_n = extra - districts_n - prose_n
        add_districts(dest, districts_n)
        add_programmes(dest, programmes_n, districts_n, rng)
        add_prose(dest, prose_n, rng)
    return dest


def add_districts(dest: Path, count: int) -> None:
    districts = load(dest / "data" / "districts.yaml")
    centres = load(dest / "data" / "centres.yaml")
    used = {(d["map"]["row"], d["map"]["col"]) for d in districts["districts"]}
    cells = ((r, c) for r in range(100) for c in range(100) if (r, c) not in used)
    for n in range(count):
        ko, en = district_name(n)
        row, col = next(cells)
        district_id = f"synthetic-{n}"
        districts["districts"].append({"id": district_id, "name": {"ko": ko, "en": en},
                                       "code": f"{20000 + n}", "map": {"row": row, "col": col}})
        phone = f"02-{300 + n % 700:03d}-{1000 + n % 9000:04d}"
        centres["centres"].append({"id": district_id, "district": district_id,
                                   "name": {"ko": f"{ko} 사회적경제지원센터", "en": f"{en} Social Economy Support Center"},
                                   "kind": "support-center", "phones_printed": phone, "phones": [phone]})
    dump(districts, dest / "data" / "districts.yaml")
    dump(centres, dest / "data" / "centres.yaml")


def add_programmes(dest: Path, count: int, districts_n: int, rng: random.Random) -> None:
    """Copy real programmes under new ids, each open in one synthetic district."""
    files = sorted((dest / "data" / "programmes").glob("*.yaml"))
    docs = {path: load(path) for path in files}
    seeds = [(path, p) for path, doc in docs.items() for p in doc["programmes"] if p["phases"]]
    for n in range(count):
        path, seed = seeds[n % len(seeds)]
        district = n % max(districts_n, 1)
        ko, en = district_name(district)
        copy = {**seed, "id": f"{seed['id']}-{n}", "districts": [f"synthetic-{district}"],
                "name": {"ko": f"{seed['name']['ko']} ({ko} {n})", "en": f"{seed['name']['en']} ({en} {n})"}}
        docs[path]["programmes"].append(copy)
    for path, doc in docs.items():
        dump(doc, path)


def add_prose(dest: Path, count: int, rng: random.Random) -> None:
    """Write prose pages whose paragraphs are shuffled from the real ones, in both languages."""
    sources = {lang: (dest / "content" / lang / "about.md").read_text("utf-8").split("---\n", 2)[2] for lang in ("ko", "en")}
    paragraphs = {lang: [p for p in text.split("\n\n") if p.strip() and not p.startswith("#")] for lang, text in sources.items()}
    for n in range(count):
        order = rng.sample(range(len(paragraphs["en"])), k=min(6, len(paragraphs["en"])))
        for lang, title in (("ko", f"사회적경제 이야기 {n}"), ("en", f"Social economy story {n}")):
            body = "\n\n".join(paragraphs[lang][i % len(paragraphs[lang])] for i in order)
            text = f"---\ntitle: {title}\ndescription: {title}\norder: {10 + n}\n---\n\n## {title}\n\n{body}\n"
            (dest / "content" / lang / f"story-{n}.md").write_text(text, "utf-8")
