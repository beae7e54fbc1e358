"""What every figure shares: the non-interactive backend, outcome colours, saving."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)  # figures are files; never open a window
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.files import write_atomic

STATUS_COLOURS = {
    "deal": "#2a9d8f",
    "holdout": "#e9c46a",
    "mismatch": "#f4a261",
    "pending": "#90be6d",
    "deadlock": "#8d99ae",
    "breakdown": "#e76f51",
    "rejected": "#9b2226",
    "partial": "#b5838d",
}


FORMATS = ("png", "svg", "pdf")
SCREEN_DPI = 120
PRINT_DPI = 300


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: ``ax`` and its figure, or a new figure of ``figsize`` inches."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def save_figures(figures: dict[str, Figure], directory: Path, formats: tuple[str, ...] = ("png",),
                 dpi: int = SCREEN_DPI) -> list[str]:  # fmt: skip
    """Write each figure in each format (``png``, ``svg``, ``pdf``; raster at ``dpi``); returns the file names."""
    names = []
    for stem, fig in figures.items():
        for fmt in formats:
            name = f"{stem}.{fmt}"
            write_atomic(directory / name, lambda path, fig=fig, fmt=fmt: fig.savefig(path, dpi=dpi, format=fmt))
            names.append(name)
        plt.close(fig)
    return names
