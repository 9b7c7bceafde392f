"""The brochure PDF made accessible (PDF/UA-1): what WeasyPrint's tagging leaves out, added.

WeasyPrint (`pdf_variant="pdf/ua-1"`) writes the structure tree: headings, lists, tables,
links, the document language, DisplayDocTitle and bookmarks. Two kinds of facts it drops are
added here, in two steps:

1. While WeasyPrint tags the boxes (the only moment the HTML element of each structure element
   is known), `tag_html_facts` adds what the HTML says: `/Lang` where an element's language
   differs (Korean names in the English brochure), the `/Scope` of header cells, and the link's
   own text as the alternate text of its annotation (WeasyPrint gives the bare address).
2. On the finished file, with pikepdf (`accessible_pdf`): the running headers and page numbers,
   which WeasyPrint marks as content but leaves out of the tree, become pagination artifacts;
   the XMP metadata gains the title and description in the document language, the language,
   the source to credit and the licence statement.
"""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import pikepdf
import pydyf
from weasyprint.pdf import tags as weasyprint_tags

SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}
PAGINATION = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)


@dataclass(frozen=True)
class Description:
    """What the PDF says about itself: its XMP metadata and document information."""

    title: str
    subject: str
    lang: str
    source: str
    rights: str


def tag_html_facts(build_box_tree):
    """Wrap WeasyPrint's tagging of one box (and, through the module's name, of its children)."""

    def tagged(box, parent, *args):
        for element in build_box_tree(box, parent, *args):
            html = getattr(box, "element", None)
            if html is not None and getattr(html, "tag", None) not in (None, "html"):
                add_html_facts(element, box, html)
            yield element

    tagged.wrapped = build_box_tree
    return tagged


def add_html_facts(element: pydyf.Dictionary, box, html) -> None:
    """Copy an HTML element's language, header scope and link text onto its structure element."""
    if html.get("lang") and element.get("S") not in ("/NonStruct",):
        element["Lang"] = pydyf.String(html.get("lang"))
    if element.get("S") == "/TH":
        scope = SCOPES.get(html.get("scope", "col"), "/Column")
        element["A"]["Scope"] = scope
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None:
        text = " ".join("".join(html.itertext()).split())
        if text:
            annotation["Contents"] = pydyf.String(text)


def install() -> None:
    """Put the wrapper in place once (WeasyPrint calls `_build_box_tree` by its module name)."""
    current = weasyprint_tags._build_box_tree
    if not hasattr(current, "wrapped"):
        weasyprint_tags._build_box_tree = tag_html_facts(current)


def accessible_pdf(data: bytes, description: Description) -> bytes:
    """Return the tagged PDF with its pagination as artifacts and its XMP metadata complete."""
    with pikepdf.open(BytesIO(data)) as pdf:
        pagination_as_artifacts(pdf)
        describe(pdf, description)
        out = BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


def reachable(root: pikepdf.Object) -> set[tuple[int, int]]:
    """Return the structure elements that hang in the tree (object numbers), from its root."""
    seen, todo = set(), [root]
    while todo:
        element = todo.pop()
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem" and kid.objgen not in seen:
                seen.add(kid.objgen)
                todo.append(kid)
    return seen


def pagination_as_artifacts(pdf: pikepdf.Pdf) -> None:
    """Mark the content that no structure element holds (headers, page numbers) as /Artifact."""
    tree = pdf.Root.StructTreeRoot
    in_tree = reachable(tree)
    nums = tree.ParentTree.Nums
    for index in range(0, len(nums), 2):
        key, value = int(nums[index]), nums[index + 1]
        if not isinstance(value, pikepdf.Array) or key >= len(pdf.pages):
            continue  # annotations map to one element each; pages to an array by MCID
        orphans = {mcid for mcid, element in enumerate(value)
                   if isinstance(element, pikepdf.Dictionary) and element.objgen not in in_tree}
        if orphans:
            as_artifacts(pdf, pdf.pages[key], orphans)
            for mcid in orphans:
                value[mcid] = None


def as_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page, mcids: set[int]) -> None:
    """Rewrite a page's marked-content sequences with the given MCIDs as pagination artifacts."""
    instructions = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and int(operands[1].get("/MCID", -1)) in mcids:
            operands = [pikepdf.Name.Artifact, PAGINATION]
        instructions.append((operands, operator))
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def describe(pdf: pikepdf.Pdf, description: Description) -> None:
    """Write the title, subject, language, source and rights to the XMP and document information."""
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = description.title
        meta["dc:description"] = description.subject
        meta["dc:language"] = [description.lang]
        meta["dc:source"] = description.source
        meta["dc:rights"] = description.rights
    pdf.docinfo["/Title"] = description.title
    pdf.docinfo["/Subject"] = description.subject
    pdf.Root.Lang = description.lang
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
