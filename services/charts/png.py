"""The chart as PNG, drawn with Pillow (already a dependency: fpdf2 and the security-code images
use it) in the same DejaVu Sans Condensed as the PDFs. Bars are not anti-aliased, so each
keeps its zone's exact colour, and twice the SVG's size keeps the picture sharp on phones."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from services.charts.model import BACKGROUND, Chart, Line, Rect, Text

FONTS = Path(__file__).resolve().parents[2] / "fonts"
SCALE = 2
_ANCHORS = {"start": "lm", "middle": "mm", "end": "rm"}


@lru_cache(maxsize=16)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    name = (
        "DejaVuSansCondensed-Bold-LatinCyrillic.ttf"
        if bold
        else ("DejaVuSansCondensed-LatinCyrillic.ttf")
    )
    return ImageFont.truetype(str(FONTS / name), size)


def render(chart: Chart, scale: int = SCALE) -> bytes:
    image = Image.new("RGB", (round(chart.width * scale), round(chart.height * scale)), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for item in chart.items:
        if isinstance(item, Rect):
            x0, y0 = round(item.x * scale), round(item.y * scale)
            x1, y1 = round((item.x + item.width) * scale), round((item.y + item.height) * scale)
            if x1 > x0 and y1 > y0:
                draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=item.color)
        elif isinstance(item, Line):
            width = max(1, round(item.width * scale))
            points = [
                (round(item.x1 * scale), round(item.y1 * scale)),
                (round(item.x2 * scale), round(item.y2 * scale)),
            ]
            if width == 1 or points[0][1] != points[1][1]:
                draw.line(points, fill=item.color, width=width)
            else:
                # A horizontal line of several pixels, as a rectangle centred on its y.
                (x0, y), (x1, _) = points
                top = y - width // 2
                draw.rectangle((x0, top, x1, top + width - 1), fill=item.color)
        else:
            _text(image, draw, item, scale)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _text(image: Image.Image, draw: ImageDraw.ImageDraw, item: Text, scale: int) -> None:
    font = _font(round(item.size * scale), item.bold)
    x, y = item.x * scale, item.y * scale
    if not item.rotated:
        draw.text((x, y), item.text, fill=item.color, font=font, anchor=_ANCHORS[item.anchor])
        return
    # Pillow draws text level only: draw it on a mask, turn it a quarter counter-clockwise and
    # paint through it, so that it reads upwards from (x, y), centred on x.
    left, _, right, _ = font.getbbox(item.text, anchor="ls")
    ascent, descent = font.getmetrics()
    mask = Image.new("L", (max(1, round(right - left)), ascent + descent), 0)
    ImageDraw.Draw(mask).text((-left, ascent), item.text, fill=255, font=font, anchor="ls")
    turned = mask.rotate(90, expand=True)
    box = (round(x - turned.width / 2), round(y - turned.height))
    image.paste(Image.new("RGB", turned.size, item.color), box, turned)
