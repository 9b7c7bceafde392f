"""The open data: JSON valid against its schemas, CSV that round-trips with its BOM, both agreeing with data/."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from jsonschema import Draft202012Validator

from guide.config import ROOT
from guide.data import load_guide

LANGS = ("ko", "en")


@pytest.fixture(scope="module")
def guide():
    return load_guide(ROOT)


def read_json(site: Path, name: str):
    return json.loads((site / "data" / name).read_text("utf-8"))


def read_csv(site: Path, name: str) -> list[dict[str, str]]:
    with (site / "data" / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", ["organisations", "programmes", "groups"])
def test_json_validates_against_its_schema(site, name):
    schema = read_json(site, f"{name}.schema.json")
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(read_json(site, f"{name}.json"))]
    assert not errors, errors[:5]


def test_the_schemas_reject_a_broken_record(site):
    schema = read_json(site, "programmes.schema.json")
    data = read_json(site, "programmes.json")
    data["programmes"][0]["phases"][0]["start"] = 2019
    del data["programmes"][1]["name_en"]
    assert len(list(Draft202012Validator(schema).iter_errors(data))) == 2


def test_json_files_are_utf8_text_with_a_trailing_newline(site):
    for name in ("organisations.json", "programmes.json", "organisations.schema.json", "programmes.schema.json"):
        text = (site / "data" / name).read_text("utf-8")
        assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "서울" in (site / "data" / "organisations.json").read_text("utf-8")  # not \uXXXX escapes


@pytest.mark.parametrize("name", ["organisations.csv", "programmes.csv", "phases.csv", "amounts.csv"])
def test_csv_files_start_with_a_bom_end_rows_in_crlf_and_round_trip(site, name):
    data = (site / "data" / name).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") >= 2 and data.endswith(b"\r\n")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    again = io.StringIO(newline="")
    csv.writer(again).writerows(rows)
    assert again.getvalue() == text
    assert len({len(row) for row in rows}) == 1


def test_organisations_agree_with_the_data(site, guide):
    records = read_json(site, "organisations.json")["organisations"]
    rows = read_csv(site, "organisations.csv")
    assert len(records) == len(rows) == len(guide.centres) == 24
    for centre, record, row in zip(guide.centres, records, rows):
        assert record["id"] == row["id"] == centre.id
        for lang in LANGS:
            assert record[f"name_{lang}"] == row[f"name_{lang}"] == centre.name[lang]
        assert record["phones"] == [p.display for p in centre.phones]
        assert row["phones"] == "; ".join(p.display for p in centre.phones)
        assert record["phones_printed"] == row["phones_printed"] == centre.phones_printed
        assert record["district_id"] == (centre.district or None) and row["district_id"] == (centre.district or "")
    geumcheon = next(r for r in records if r["id"] == "geumcheon")
    assert geumcheon["phones"] == ["070-4432-3792", "070-4432-3793", "070-4432-3794"]
    assert geumcheon["phones_e164"][0] == "+827044323792"


def test_programmes_agree_with_the_data(site, guide):
    document = read_json(site, "programmes.json")
    records, rows = document["programmes"], read_csv(site, "programmes.csv")
    assert document["edition"] == guide.edition.year and document["licence_status"] == guide.edition.licence_status
    assert len(records) == len(rows) == len(guide.programmes)
    for programme, record, row in zip(guide.programmes, records, rows):
        assert record["id"] == row["id"] == programme.id
        for lang in LANGS:
            assert record[f"name_{lang}"] == row[f"name_{lang}"] == programme.name[lang]
        assert [c["phone"] for c in record["contacts"]] == [c.phone and c.phone.display for c in programme.contacts]
        assert [a["won"] for a in record["budget"]] == [a.won for a in programme.budget]
        assert [a["printed"] for a in record["budget"]] == [a.printed for a in programme.budget]
        assert len(record["phases"]) == int(row["phase_count"]) == len(programme.phases)
        assert [p["label_ko"] for p in record["phases"]] == [p.label.ko for p in programme.phases]
        assert record["eligible"] == list(programme.eligible) and row["eligible"] == "; ".join(programme.eligible)
        for lang in LANGS:
            names = "; ".join(guide.group(g).name[lang] for g in programme.eligible)
            assert record[f"eligible_{lang}"] == (names or None) and row[f"eligible_{lang}"] == names
    store = next(r for r in rows if r["id"] == "coop-store-entry")
    assert store["budget_won"] == "45000000" and store["budget_printed"] == "4.5천만원" and store["budget_en"] == "₩45 million"


def test_groups_agree_with_the_data_and_their_hierarchy(site, guide):
    records, rows = read_json(site, "groups.json")["groups"], read_csv(site, "groups.csv")
    assert [r["id"] for r in records] == [r["id"] for r in rows] == [g.id for g in guide.groups]
    for group, record in zip(guide.groups, records):
        assert record["within"] == group.within and record["name_ko"] == group.name.ko and record["name_en"] == group.name.en
        assert record["page_en"].endswith(f"/en/programmes/for/{group.id}/")
    cooperative = next(r for r in records if r["id"] == "cooperative")
    for_all = [p.id for p in guide.programmes if "social-economy-enterprise" in p.eligible]
    assert set(for_all) < set(cooperative["programmes"])


def test_phases_and_amounts_tables_list_every_item_once(site, guide):
    phases = read_csv(site, "phases.csv")
    assert len(phases) == sum(len(p.phases) for p in guide.programmes)
    assert len({(r["programme_id"], r["index"]) for r in phases}) == len(phases)
    fair = [r for r in phases if r["programme_id"] == "public-procurement-fair"]
    assert (fair[1]["start"], fair[1]["end"], fair[1]["dates"]) == ("2019-02-27", "2019-02-28", "2019-02-27; 2019-02-28")
    year_round = [r for r in phases if r["year_round"] == "true"]
    assert year_round and all((r["start"], r["end"], r["months"]) == ("2019-01-01", "2019-12-31", "") for r in year_round)
    amounts = read_csv(site, "amounts.csv")
    assert len(amounts) == sum(len(p.budget) + len(p.average) for p in guide.programmes)


def test_the_data_page_documents_every_column_in_both_languages(site):
    for lang in LANGS:
        doc = BeautifulSoup((site / lang / "data" / "index.html").read_text("utf-8"), "html.parser")
        documented = {code.get_text() for code in doc.select(".gd-fields th[scope=row] code")}
        for name in ("organisations.csv", "programmes.csv", "groups.csv", "phases.csv", "amounts.csv"):
            header = next(csv.reader(io.StringIO((site / "data" / name).read_text("utf-8-sig"))))
            assert set(header) <= documented, (lang, name, set(header) - documented)
            assert doc.select_one(f'a[href="../../data/{name}"]'), (lang, name)
        assert doc.select_one('a[href="../calendar.ics"]')
    footer = BeautifulSoup((site / "en" / "index.html").read_text("utf-8"), "html.parser").select_one(".gd-footer")
    assert footer.select_one('a[href="data/"]')
