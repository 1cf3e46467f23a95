"""The page every document is printed on (A4, DejaVu Sans embedded) and its building blocks:
titles, label-value blocks, tables with a total row, number formats."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import cast

from fpdf import FPDF

import models
from services import periods
from services.charts import pdf as chart_pdf
from services.charts.model import Chart

# The font ships with the project (fonts/, with its licence): no system font is assumed.
FONTS = Path(__file__).resolve().parents[2] / "fonts"
FAMILY = "DejaVu"
# Table cells: padding (mm) and line height (mm per point of font size).
PAD_X, PAD_Y, LINE = 1.0, 0.8, 0.45

Row = Sequence[str]


@dataclass(frozen=True, slots=True)
class _Row:
    texts: Sequence[str]
    widths: Sequence[float]
    aligns: str
    bold: bool = False
    fill: bool = False


class Sheet(FPDF):
    """An A4 page with the document's title in the metadata and page numbers in the footer."""

    def __init__(self, title: str, generated: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(FAMILY, "", FONTS / "DejaVuSansCondensed-LatinCyrillic.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSansCondensed-Bold-LatinCyrillic.ttf")
        self.set_title(title)
        self.set_lang("ru")
        self.set_creator("Личный кабинет клиента")
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=14)
        self._generated = generated
        self._fits: dict[tuple, tuple[list[list[str]], float]] = {}
        self.add_page()

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(110)
        self.cell(0, 4, self._generated, align="L")
        self.cell(0, 4, f"Страница {self.page_no()} из {{nb}}", align="R")
        self.set_text_color(0)

    # --- blocks

    def title_line(self, text: str, size: float = 13) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, 6.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FAMILY, "B", 9.5)
        self.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    def pairs(self, items: Sequence[tuple[str, str]], label_width: float = 42) -> None:
        """Label: value lines, the value wrapping under itself."""
        for label, value in items:
            self.set_font(FAMILY, "B", 8.5)
            self.cell(label_width, 4.6, label)
            self.set_font(FAMILY, "", 8.5)
            self.multi_cell(0, 4.6, value, align="L", new_x="LMARGIN", new_y="NEXT")

    def note(self, text: str, size: float = 8) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, 4.2, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def grid(
        self,
        headings: Row,
        rows: Sequence[Row],
        widths: Sequence[float],
        *,
        aligns: str,
        total: tuple[str, str] | None = None,
        size: float = 7.5,
    ) -> None:
        """A bordered table; aligns holds one of L, C, R per column; total is a (label, value)
        row under the last column. Headings repeat on every page the table runs onto. An empty
        table prints a line that says so, so that a reader never wonders whether data is missing.

        Drawn cell by cell rather than with fpdf2's table(), which measures every cell twice,
        character by character: three to four times slower for these small tables."""
        head = _Row(headings, widths, "C" * len(headings), bold=True, fill=True)
        body = [_Row(values, widths, aligns) for values in rows]
        if not rows:
            body.append(_Row(["Нет данных за выбранный период."], [sum(widths)], "L"))
        if total is not None:
            body.append(_Row(total, [sum(widths[:-1]), widths[-1]], "LR", bold=True))
        # The cells' own padding replaces fpdf2's cell margin, so text is measured as drawn.
        margin, self.c_margin = self.c_margin, 0
        try:
            self._draw_row(head, *self._fit(head, size), size)
            for row in body:
                cells, height = self._fit(row, size)
                if self.will_page_break(height):
                    self.add_page()
                    self._draw_row(head, *self._fit(head, size), size)
                self._draw_row(row, cells, height, size)
        finally:
            self.c_margin = margin
        self.ln(1)

    def _fit(self, row: _Row, size: float) -> tuple[list[list[str]], float]:
        """The lines of each cell (wrapped only when the text does not fit) and the row height;
        remembered, since the same headings repeat on every page and in every period."""
        key = (tuple(row.texts), tuple(row.widths), row.bold, size)
        if key in self._fits:
            return self._fits[key]
        self.set_font(FAMILY, "B" if row.bold else "", size)
        cells: list[list[str]] = []
        for text, width in zip(row.texts, row.widths, strict=True):
            room = width - 2 * PAD_X
            if self.get_string_width(text) <= room:
                cells.append([text])
            else:
                # With output="LINES" fpdf answers the wrapped lines (list[str]); its declared
                # return type is the union of what every `output` answers.
                lines = self.multi_cell(room, text=text, dry_run=True, output="LINES")
                cells.append(cast(list[str], lines))
        fitted = cells, max(len(lines) for lines in cells) * size * LINE + 2 * PAD_Y
        self._fits[key] = fitted
        return fitted

    def _draw_row(self, row: _Row, cells: list[list[str]], height: float, size: float) -> None:
        self.set_font(FAMILY, "B" if row.bold else "", size)
        line_height = size * LINE
        x, y = self.l_margin, self.get_y()
        if row.fill:
            self.set_fill_color(235)
        for lines, width, align in zip(cells, row.widths, row.aligns, strict=True):
            self.rect(x, y, width, height, style="DF" if row.fill else "D")
            # Vertically centred, as printed forms do.
            top = y + (height - len(lines) * line_height) / 2
            for number, line in enumerate(lines):
                self.set_xy(x + PAD_X, top + number * line_height)
                self.cell(width - 2 * PAD_X, line_height, line, align=align)
            x += width
        self.set_xy(self.l_margin, y + height)

    def chart(self, heading: str, chart: Chart) -> None:
        """The consumption chart across the page's width, under its heading (kept together)."""
        height = chart_pdf.height(chart, self.epw)
        if self.will_page_break(height + 8):
            self.add_page()
        self.heading(heading)
        top = self.get_y() + 1
        chart_pdf.draw(self, chart, x=self.l_margin, y=top, width=self.epw, family=FAMILY)
        self.set_xy(self.l_margin, top + height + 1)

    def png(self, data: bytes, *, x: float, y: float, width: float, title: str) -> None:
        self.image(io.BytesIO(data), x=x, y=y, w=width, title=title, alt_text=title)


# --- formats (a dot for decimals: what the customer sees in the app, and what copies to a bank)


def rubles(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).quantize(Decimal('0.01')):f}"


def number(value: Decimal | None) -> str:
    """Volumes, readings and rates without trailing zeros: 26.015, 33, 5.15."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f}"


def tariff(value: Decimal) -> str:
    """Rubles per unit: at least two decimals (5.15, 4.90), more only when billing has them."""
    normalized = Decimal(value).normalize()
    exponent = normalized.as_tuple().exponent  # an int for every finite number
    if isinstance(exponent, int) and exponent > -2:
        normalized = normalized.quantize(Decimal("0.01"))
    return f"{normalized:f}"


def day(value: date | datetime) -> str:
    return value.strftime("%d.%m.%Y")


# A period as the cabinet's texts name it: «март 2026 г.».
month = periods.month_name


def bank_details(provider: models.Provider) -> list[tuple[str, str]]:
    items = [("Получатель:", provider.name)]
    inn = f"ИНН {provider.inn}" + (f", КПП {provider.kpp}" if provider.kpp else "")
    items.append(("", inn))
    if provider.settlement_account:
        items.append(("Расчётный счёт:", provider.settlement_account))
    if provider.bank_name:
        items.append(("Банк:", provider.bank_name))
    if provider.bic:
        items.append(("БИК:", provider.bic))
    if provider.correspondent_account:
        items.append(("Корр. счёт:", provider.correspondent_account))
    return items
