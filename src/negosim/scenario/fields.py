"""Field types and limits shared by the scenario schema's tables.

Every number a data file gives has a finite range, chosen so that the model's
arithmetic stays finite and meaningful (utilities live in [0, 1]); every
string has a maximum length, and ids are short. :func:`negosim.scenario.ranges.field_range`
reads a field's range back from these annotations.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_CLAUSES = 200
MAX_PARTIES = 50
MAX_ROUNDS = 2000
MAX_CHANNELS = MAX_PARTIES * (MAX_PARTIES - 1)  # one each way between every two parties
MAX_DEADLINES = 100
MAX_ENTRIES = 1000  # texts, events, scheduled changes, uncertain inputs, ledger entries, report dates

MAX_ID = 64  # party, clause, text and event ids; references to them
MAX_LABEL = 200  # one-line labels and names
MAX_TEXT = 10_000  # descriptions, sources and notes (may span lines)
MAX_KEY_PATH = 256  # a dotted key path such as parties.RU.red_lines.NATO_UA.min

# Numbers. Each alias says its range; fields with a range of their own declare it where they stand.
UnitFloat = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]  # [0, 1]: positions, probabilities
SignedUnitFloat = Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)]  # [-1, 1]: biases, drifts
PositiveUnitFloat = Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)]  # (0, 1]
Weight = Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)]  # [0, 1000]: saliences
Rounds = Annotated[int, Field(ge=0, le=MAX_ROUNDS)]  # [0, 2000]: a round index
PositiveRounds = Annotated[int, Field(ge=1, le=MAX_ROUNDS)]  # [1, 2000]: a number of rounds

# Text. Multi-line text (a description, source or note) may hold newlines and tabs; nothing
# else may hold any control character (see negosim.scenario.tomlfile.check_tree).
Id = Annotated[str, Field(max_length=MAX_ID)]
Label = Annotated[str, Field(max_length=MAX_LABEL)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
KeyPath = Annotated[str, Field(min_length=1, max_length=MAX_KEY_PATH)]
Ids = Annotated[tuple[Id, ...], Field(max_length=MAX_CLAUSES)]  # a list of clause ids


class Strict(BaseModel):
    """A table of a data file: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)
