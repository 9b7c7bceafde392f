"""One English term per Korean term, checked by an index the preview updates with the programmes
an edit read again: after any sequence of edits it reports what a first check of the same guide
reports, and it holds the current guide's programmes alone."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from guide import terms
from guide.config import ROOT
from guide.data import load_guide
from guide.model import Text


@pytest.fixture(scope="module")
def original():
    """The real guide: six of its programmes share their support area, and others a phase's label."""
    return load_guide(ROOT)


def first_check(guide) -> list:
    """What a process that never checked a guide before reports."""
    kept = dict(terms.LAST_TERMS)
    terms.LAST_TERMS.clear()
    try:
        return terms.inconsistent_terms(guide)
    finally:
        terms.LAST_TERMS.clear()
        terms.LAST_TERMS.update(kept)


def two_ways(guide) -> bool:
    """Whether a Korean term of the guide is translated two ways, by the rule's own words."""
    english: dict[str, set[str]] = {}
    for programme in guide.programmes:
        for _, text in terms.programme_terms(programme):
            english.setdefault(text.ko, set()).add(text.en)
    return any(len(found) > 1 for found in english.values())


EDITS = st.lists(st.tuples(st.sampled_from(["translate", "restore", "remove"]), st.integers(0, 10_000),
                           st.sampled_from(["Other words", "More words"])), min_size=1, max_size=10)


@settings(max_examples=60, deadline=None)
@given(edits=EDITS)
def test_the_index_reports_what_a_first_check_reports_after_any_edits(original, edits):
    terms.LAST_TERMS.clear()
    assert terms.inconsistent_terms(original) == [] == first_check(original)
    programmes = list(original.programmes)
    for kind, n, english in edits:
        if kind == "translate":
            i = n % len(programmes)
            programmes[i] = dataclasses.replace(programmes[i], area=Text(programmes[i].area.ko, english))
        elif kind == "restore":
            i = n % len(original.programmes)
            if original.programmes[i] not in programmes:
                programmes.insert(min(i, len(programmes)), original.programmes[i])
        elif len(programmes) > 1:
            del programmes[n % len(programmes)]
        guide = dataclasses.replace(original, programmes=tuple(programmes))
        reported = terms.inconsistent_terms(guide)
        assert reported == first_check(guide)
        assert bool(reported) == two_ways(guide) == bool(terms.LAST_TERMS["conflicting"])
        assert set(terms.LAST_TERMS["programmes"]) == {id(p) for p in guide.programmes}


def test_a_term_translated_two_ways_is_reported_where_it_differs_from_the_first(original):
    terms.LAST_TERMS.clear()
    terms.inconsistent_terms(original)
    shared = [p for p in original.programmes if p.area.ko == "교육지원"]
    edited = dataclasses.replace(shared[1], area=Text("교육지원", "Other words"))
    guide = dataclasses.replace(original, programmes=tuple(edited if p is shared[1] else p for p in original.programmes))
    [problem] = terms.inconsistent_terms(guide)
    assert problem.path == shared[1].where[0] and problem.line == shared[1].where[1]
    assert f"'교육지원' is translated 'Other words' here but '{shared[0].area.en}' at" in problem.message
    assert terms.inconsistent_terms(original) == []  # the edit undone
