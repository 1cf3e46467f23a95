"""The page every document is printed on (A4, DejaVu Sans embedded) and its building blocks:
titles, label-value blocks, tables with a total row, number formats."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF, FontFace

import models

# The font ships with the project (fonts/, with its licence): no system font is assumed.
FONTS = Path(__file__).resolve().parents[2] / "fonts"
FAMILY = "DejaVu"
MONTHS = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split()
MONTHS_GENITIVE = (
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
)
HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
TOTAL = FontFace(emphasis="BOLD")

Row = Sequence[str]


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
        row under the last column. An empty table prints a line that says so, so that a reader
        never wonders whether data is missing."""
        self.set_font(FAMILY, "", size)
        with self.table(
            col_widths=widths,
            width=sum(widths),
            headings_style=HEADINGS,
            line_height=size * 0.5,
            text_align="CENTER",
            padding=(0.8, 1),
            align="LEFT",
        ) as table:
            heading = table.row()
            for text in headings:
                heading.cell(text)
            if not rows:
                table.row().cell("Нет данных за выбранный период.", colspan=len(headings))
            for values in rows:
                row = table.row()
                for text, align in zip(values, aligns, strict=True):
                    row.cell(text, align=align)
            if total is not None:
                row = table.row()
                row.cell(total[0], align="L", style=TOTAL, colspan=len(headings) - 1)
                row.cell(total[1], align="R", style=TOTAL)
        self.ln(1)

    def png(self, data: bytes, *, x: float, y: float, width: float, title: str) -> None:
        self.image(io.BytesIO(data), x=x, y=y, w=width, title=title, alt_text=title)


# --- formats (a dot for decimals: what the customer sees in the app, and what copies to a bank)


def rubles(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).quantize(Decimal('0.01')):f}"


def number(value: Decimal | None) -> str:
    """Volumes, readings and rates without trailing zeros: 26.015, 33, 5.15."""
    if value is None:
        return "—"
    text = f"{Decimal(value).normalize():f}"
    return text


def tariff(value: Decimal) -> str:
    normalized = Decimal(value).normalize()
    if -normalized.as_tuple().exponent < 2:  # type: ignore[operator]
        normalized = normalized.quantize(Decimal("0.01"))
    return f"{normalized:f}"


def day(value: date | datetime) -> str:
    return value.strftime("%d.%m.%Y")


def month(period: date) -> str:
    return f"{MONTHS[period.month - 1]} {period.year} г."


def long_day(value: date) -> str:
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year} г."


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
