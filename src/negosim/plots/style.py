"""What every figure shares: the non-interactive backend, outcome colours, saving."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)  # figures are files; never open a window
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from negosim.files import write_atomic

STATUS_COLOURS = {
    "deal": "#2a9d8f",
    "holdout": "#e9c46a",
    "mismatch": "#f4a261",
    "pending": "#90be6d",
    "deadlock": "#8d99ae",
    "breakdown": "#e76f51",
}


def save_figures(figures: dict[str, Figure], directory: Path) -> list[str]:
    """Write each figure as PNG; returns the file names."""
    names = []
    for stem, fig in figures.items():
        name = f"{stem}.png"
        write_atomic(directory / name, lambda path, fig=fig: fig.savefig(path, dpi=120, format="png"))
        plt.close(fig)
        names.append(name)
    return names
