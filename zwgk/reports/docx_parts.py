"""The OOXML pieces python-docx has no API for, used by the 通报 (bulletin.py): named paragraph styles
that do not lean on Word's built-in ones, page numbers as a PAGE field (odd pages right, even pages
left, GB/T 9704 7.5), tables whose grid fills the text area exactly, ruled tables (the 版记), a
table anchored to the foot of the last page, and {{占位符}} a template fills.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
TWIPS_PER_EMU = 1 / 635          # 914400 EMU per inch, 1440 twips per inch


@dataclass(frozen=True)
class StyleSpec:
    font: str                     # East Asian font (the Latin font is Times New Roman)
    size: float                   # pt
    align: str = "justify"
    indent: float = 0             # first-line indent in characters
    line: float | None = 28       # exact line spacing in pt; None: single
    color: str = "000000"
    outline: int | None = None    # outline level (navigation pane), for headings
    keep_next: bool = False


def ensure_style(doc: DocumentObject, name: str, spec: StyleSpec) -> None:
    """Add the paragraph style `name` with `spec`, unless the document (a user's template) has it:
    a template's own style is used as it is. Based on no other style, so nothing of Word's
    Normal/Title (theme fonts, blue rules, spacing after) leaks into the 通报."""
    if name in {s.name for s in doc.styles}:
        return
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = None
    style.quick_style = True
    font = style.font
    font.name = "Times New Roman"
    font.size = Pt(spec.size)
    font.bold = False
    font.italic = False
    font.color.rgb = RGBColor.from_string(spec.color)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), spec.font)
    fmt = style.paragraph_format
    fmt.alignment = ALIGN[spec.align]
    fmt.first_line_indent = Pt(spec.size * spec.indent) if spec.indent else Pt(0)
    fmt.left_indent = Pt(0)
    fmt.right_indent = Pt(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.widow_control = True
    if spec.line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(spec.line)
    fmt.keep_with_next = spec.keep_next
    if spec.outline is not None:
        put(style.element.get_or_add_pPr(), _el("w:outlineLvl", val=str(spec.outline)), PPR)


# Child order the schema requires (Word refuses a file whose properties are out of order).
PPR = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
       "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
       "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
       "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
       "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
TBLPR = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
         "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
         "tblCaption", "tblDescription")
TRPR = ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
        "tblHeader", "tblCellSpacing", "jc", "hidden")
TCPR = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
        "textDirection", "tcFitText", "vAlign", "hideMark")


def put(parent: Any, el: Any, order: tuple[str, ...]) -> None:
    """Set the child `el` of a properties element in schema order, replacing one of the same tag."""
    for old in parent.findall(el.tag):
        parent.remove(old)
    name = el.tag.split("}")[1]
    later = set(order[order.index(name) + 1:])
    for i, child in enumerate(parent):
        if child.tag.split("}")[-1] in later:
            parent.insert(i, el)
            return
    parent.append(el)


def _el(tag: str, **attrs: str) -> Any:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


# --- page numbers ---------------------------------------------------------------------------------

def _page_field(paragraph: Paragraph) -> None:
    """'— N —' with N a PAGE field (Word and LibreOffice compute it when the document is laid out)."""
    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind is not None:
            run._r.append(_el("w:fldChar", fldCharType=kind))
        elif text == " PAGE ":
            instr = _el("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    paragraph.add_run(" —")


def has_page_field(footer: Any) -> bool:
    return any("PAGE" in (t.text or "") for t in footer._element.iter(qn("w:instrText"))) or \
        any("PAGE" in (f.get(qn("w:instr")) or "") for f in footer._element.iter(qn("w:fldSimple")))


def page_numbers(doc: DocumentObject, style: str, char_pt: float) -> None:
    """Page numbers after GB/T 9704: odd pages at the right, even pages at the left, one character
    in from the text edge. A template whose footer already numbers its pages keeps its footer."""
    doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        for footer, align, side in ((section.footer, "right", "right"), (section.even_page_footer, "left", "left")):
            if has_page_field(footer):
                continue
            footer.is_linked_to_previous = False
            para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            para.style = doc.styles[style]
            para.alignment = ALIGN[align]
            if side == "right":
                para.paragraph_format.right_indent = Pt(char_pt)
            else:
                para.paragraph_format.left_indent = Pt(char_pt)
            _page_field(para)


# --- tables ---------------------------------------------------------------------------------------

def text_width_twips(doc: DocumentObject) -> int:
    section = doc.sections[-1]
    width = section.page_width - section.left_margin - section.right_margin
    return round(width * TWIPS_PER_EMU)


def split_width(total: int, weights: list[float]) -> list[int]:
    """Integer widths in proportion to `weights` that add up to `total` exactly."""
    raw = [total * w / sum(weights) for w in weights]
    widths = [int(x) for x in raw]
    widths[-1] += total - sum(widths)
    return widths


def fit_table(table: Any, widths: list[int]) -> None:
    """A fixed-layout table whose grid and cells have `widths` (twips): it fills the text area,
    Word and LibreOffice keep the columns, and long addresses wrap inside their column."""
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    put(tbl_pr, _el("w:tblW", w=str(sum(widths)), type="dxa"), TBLPR)
    put(tbl_pr, _el("w:tblInd", w="0", type="dxa"), TBLPR)
    put(tbl_pr, _el("w:tblLayout", type="fixed"), TBLPR)
    grid = tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))


def cell_width(tc: Any, width: int) -> None:
    put(tc.get_or_add_tcPr(), _el("w:tcW", w=str(width), type="dxa"), TCPR)


def borders(table: Any, *, outer: int = 4, inner: int = 4, vertical: bool = True,
            top: int | None = None, bottom: int | None = None) -> None:
    """Table rules in eighths of a point, set on the table (not through a style a template may lack)."""
    el = _el("w:tblBorders")
    sizes = {"top": top if top is not None else outer, "left": outer if vertical else 0,
             "bottom": bottom if bottom is not None else outer, "right": outer if vertical else 0,
             "insideH": inner, "insideV": inner if vertical else 0}
    for side, size in sizes.items():
        el.append(_el(f"w:{side}", val="single" if size else "nil", sz=str(size), space="0", color="000000"))
    put(table._tbl.tblPr, el, TBLPR)


def add_text_run(p: Any, text: str) -> None:
    """A run with `text` at the end of paragraph element `p`: python-docx's `run.text = text`, without
    its per-character loop and its search for content to clear in a run that has none."""
    r = p.add_r()
    if "\t" in text or "\n" in text or "\r" in text:
        r.text = text                   # tabs and line breaks become <w:tab/> and <w:br/>
    elif text:
        r.add_t(text)


def repeat_header(row: Any) -> None:
    """The header row repeats on every page a long table spans."""
    put(row._tr.get_or_add_trPr(), _el("w:tblHeader", val="true"), TRPR)


def no_split(row_tr: Any) -> None:
    put(row_tr.get_or_add_trPr(), _el("w:cantSplit", val="true"), TRPR)


def keep_with_next(p: Any) -> None:
    put(p.get_or_add_pPr(), _el("w:keepNext"), PPR)


def span(tc: Any, columns: int) -> None:
    put(tc.get_or_add_tcPr(), _el("w:gridSpan", val=str(columns)), TCPR)


def anchor_bottom(doc: DocumentObject, table: Any, height_twips: int) -> None:
    """Float the table to the foot of the text area (the 版记 sits at the bottom of the last page).
    The offset is numeric (LibreOffice does not read the relative `tblpYSpec`); the table moves to
    the next page with its anchor paragraph when the last page has no room left."""
    section = doc.sections[-1]
    foot = round((section.page_height - section.bottom_margin) * TWIPS_PER_EMU)
    tbl_pr = table._tbl.tblPr
    put(tbl_pr, _el("w:tblpPr", vertAnchor="page", horzAnchor="margin", tblpY=str(foot - height_twips),
                    tblpXSpec="center", leftFromText="0", rightFromText="0", topFromText="0",
                    bottomFromText="0"), TBLPR)
    put(tbl_pr, _el("w:tblOverlap", val="never"), TBLPR)


def bottom_rule(paragraph: Paragraph, color: str, size: int = 12) -> None:
    """A rule under the paragraph (the red line under the 发文字号)."""
    bdr = _el("w:pBdr")
    bdr.append(_el("w:bottom", val="single", sz=str(size), space="8", color=color))
    put(paragraph._p.get_or_add_pPr(), bdr, PPR)


# --- placeholders -----------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def _paragraphs(doc: DocumentObject) -> Iterator[Paragraph]:
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.even_page_header):
            if not part.is_linked_to_previous:
                yield from part.paragraphs


def fill_placeholders(doc: DocumentObject, values: dict[str, str]) -> None:
    """{{文号}}, {{发文机关}} … in the template replaced by the values given; a placeholder without a
    value stays for the user to fill in. A placeholder split over several runs (Word does that)
    is rebuilt in the paragraph's first run."""
    for para in _paragraphs(doc):
        text = para.text
        if "{{" not in text:
            continue
        new = PLACEHOLDER.sub(lambda m: values.get(m[1]) or m[0], text)
        if new == text:
            continue
        runs = para.runs
        if not runs:
            continue
        runs[0].text = new
        for run in runs[1:]:
            run._r.getparent().remove(run._r)
