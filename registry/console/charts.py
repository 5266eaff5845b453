"""Horizontal bar charts as geometry for server-side SVG: no chart library, no script."""

from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 22
LABEL_WIDTH = 260
BAR_SPACE = 320
VALUE_SPACE = 48

# The UN's colours of the 17 goals, so a goal reads the same here as on every SDG poster.
SDG_COLOURS = (
    "#E5243B", "#DDA63A", "#4C9F38", "#C5192D", "#FF3A21", "#26BDE2", "#FCC30B", "#A21942",
    "#FD6925", "#DD1367", "#FD9D24", "#BF8B2E", "#3F7E44", "#0A97D9", "#56C02B", "#00689D",
    "#19486A",
)  # fmt: skip
NEUTRAL = "#2f6690"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    colour: str = NEUTRAL


@dataclass(frozen=True, slots=True)
class PlacedBar:
    label: str
    value: int
    colour: str
    y: int
    width: int


@dataclass(frozen=True, slots=True)
class Chart:
    bars: tuple[PlacedBar, ...]
    width: int
    height: int
    label_width: int
    row_height: int


def bar_chart(bars: list[Bar]) -> Chart:
    """Bars scaled to the largest value; a zero stays visible as a hairline so no row is lost."""
    largest = max((bar.value for bar in bars), default=0)
    placed = tuple(
        PlacedBar(
            label=bar.label,
            value=bar.value,
            colour=bar.colour,
            y=index * ROW_HEIGHT,
            width=max(1, round(BAR_SPACE * bar.value / largest)) if largest else 1,
        )
        for index, bar in enumerate(bars)
    )
    return Chart(
        bars=placed,
        width=LABEL_WIDTH + BAR_SPACE + VALUE_SPACE,
        height=max(ROW_HEIGHT, ROW_HEIGHT * len(bars)),
        label_width=LABEL_WIDTH,
        row_height=ROW_HEIGHT,
    )


def sdg_colour(goal: int) -> str:
    return SDG_COLOURS[(goal - 1) % len(SDG_COLOURS)]
