"""One English term per Korean term: the short labels of the programmes (support areas, phases'
labels, contacts' teams) are translated alike wherever they appear.

The rule reads every programme. The preview keeps an index of the terms between reloads and
updates it with the programmes that are not the last guide's (an edit reads one programme
again): at 20,000 programmes a scan of all their terms took ~30 ms of every reload. Where the
index finds a Korean term with two English ones, the problems are those of a whole scan.
"""
from __future__ import annotations

from typing import Iterator

from . import model as m
from .errors import SourceError

# The index of the last guide's terms: "programmes", the programmes it holds by identity (each
# kept alive, so that no other object takes its identity); "english", the English terms of each
# Korean one, with how many labels use each; "conflicting", the Korean terms with two or more.
LAST_TERMS: dict[str, dict] = {}


def inconsistent_terms(guide: m.Guide) -> list[SourceError]:
    """Report the labels translated two ways, each at the label that differs from the first."""
    if not conflicting(guide):
        return []
    first: dict[str, tuple[str, m.Programme, str]] = {}
    errors = []
    for programme in guide.programmes:
        for field, text in programme_terms(programme):
            known = first.setdefault(text.ko, (text.en, programme, field))
            if known[0] != text.en:
                where = f"{known[1].where[0]}:{known[1].where[1]} {known[1].id}.{known[2]}"
                message = f"'{text.ko}' is translated '{text.en}' here but '{known[0]}' at {where} (one English term per Korean term)"
                errors.append(SourceError(programme.where[0], programme.where[1], f"programmes[id={programme.id}].{field}", message))
    return errors


def programme_terms(programme: m.Programme) -> Iterator[tuple[str, m.Text]]:
    """(field, text) of a programme's labels that must be translated consistently."""
    yield "area", programme.area
    for i, phase in enumerate(programme.phases):
        yield f"phases[{i}].label", phase.label
    for i, contact in enumerate(programme.contacts):
        yield f"contacts[{i}].team", contact.team


def conflicting(guide: m.Guide) -> bool:
    """Whether a Korean term of the guide has two English ones, by the index of the last guide's
    terms, updated with the programmes that came and went (programmes are frozen: one kept is
    the same text)."""
    programmes = LAST_TERMS.setdefault("programmes", {})
    english = LAST_TERMS.setdefault("english", {})
    conflicts = LAST_TERMS.setdefault("conflicting", {})
    now = {id(programme): programme for programme in guide.programmes}
    for key in [key for key in programmes if key not in now]:
        counted(programmes.pop(key), -1, english, conflicts)
    for key, programme in now.items():
        if key not in programmes:
            programmes[key] = programme
            counted(programme, 1, english, conflicts)
    return bool(conflicts)


def counted(programme: m.Programme, step: int, english: dict[str, dict[str, int]], conflicts: dict[str, None]) -> None:
    """Count a programme's terms in the index (step 1) or take them out of it (step -1)."""
    for _, text in programme_terms(programme):
        uses = english.setdefault(text.ko, {})
        left = uses.get(text.en, 0) + step
        if left:
            uses[text.en] = left
        else:
            del uses[text.en]
        if len(uses) > 1:
            conflicts[text.ko] = None
        else:
            conflicts.pop(text.ko, None)
            if not uses:
                del english[text.ko]
