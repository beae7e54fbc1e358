"""A scenario of one's own: a commented skeleton that validates (``negosim new``), and the
JSON Schema of the format (``negosim schema``), generated from the pydantic models.

>>> from negosim.scenario.schema import build_scenario
>>> from negosim.scenario.tomlfile import parse_toml
>>> build_scenario(parse_toml(skeleton("my_talks")), "my_talks.toml").meta.name
'my_talks'
>>> json_schema()["title"]
'Scenario'
"""

from __future__ import annotations

import re

from negosim.scenario.schema import Scenario

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")

SKELETON = """\
# {name}: a mediated negotiation. Every key is described in docs/scenarios.md;
# `negosim validate {name}.toml` checks the file, `negosim run {name}.toml` runs it.
# Mark where each value comes from, as the shipped scenarios do:
#   [S] sourced (cite it), [A] analyst knowledge, [M] a modelling assumption.

index_from = "opening"          # the position index runs from this text (0) ...
index_to = "b_position"         # ... to this one (1)

[meta]
name = "{name}"
description = "Two sides and a mediator over three clauses (replace with your case)."
poles = ["side A", "side B"]    # what 0 and 1 mean on every clause

[[clauses]]
id = "BORDER"                   # letters, digits, _; used as a key below
label = "Where the line runs"
low = "A's line"                # the meaning of 0
high = "B's line"               # the meaning of 1

[[clauses]]
id = "TROOPS"
label = "Foreign troops on the ground"
low = "allowed"
high = "excluded"

[[clauses]]
id = "AID"
label = "Reconstruction aid"
low = "large"
high = "none"

[texts.opening]                 # the mediator's first draft
label = "The mediator's opening draft"
values = {{ BORDER = 0.5, TROOPS = 0.5, AID = 0.5 }}

[texts.b_position]
label = "B's position"
values = {{ BORDER = 1.0, TROOPS = 1.0, AID = 1.0 }}

[parties.M]
label = "Mediator"
role = "mediator"
ideal = {{ BORDER = 0.5, TROOPS = 0.5, AID = 0.5 }}
salience = {{ BORDER = 1.0, TROOPS = 1.0, AID = 1.0 }}

[parties.A]
label = "Side A"
role = "principal"
ideal = {{ BORDER = 0.0, TROOPS = 0.0, AID = 0.0 }}     # where A would put each clause
salience = {{ BORDER = 0.6, TROOPS = 0.3, AID = 0.1 }}  # how much each clause matters to A
red_lines = {{ BORDER = {{ max = 0.7 }} }}               # A never accepts BORDER above 0.7
reservation = {{ base = 0.45 }}                          # what no deal is worth to A (0-1)
tactic = {{ kind = "conceder", exponent = 2.0 }}         # gives ground early
time = {{ horizon_days = 45.0 }}                         # A's own sense of time: it concedes towards day 45

[parties.B]
label = "Side B"
role = "principal"
ideal = {{ BORDER = 1.0, TROOPS = 1.0, AID = 1.0 }}
salience = {{ BORDER = 0.5, TROOPS = 0.2, AID = 0.3 }}
reservation = {{ base = 0.45 }}
tactic = {{ kind = "boulware", exponent = 0.5 }}         # holds out until late
time = {{ horizon_days = 45.0 }}

[mediator]
party = "M"
start_text = "opening"
bias = 0.0                      # -1 leans to pole 0, +1 to pole 1
step = 0.05                     # how far one revision moves the text

[[channels]]                    # the mediation graph: who can send texts to whom
from = "M"
to = "A"
latency = 1                     # rounds (days) a message takes

[[channels]]
from = "M"
to = "B"
latency = 2
reliability = 0.9               # the chance a message arrives

[calendar]
start = 2026-01-05
horizon = 2026-03-05            # the run's end; forecasts are read at report dates
report_dates = [2026-02-01, 2026-03-05]

[[deadlines]]
date = 2026-02-01
party = "A"
kind = "soft"                   # soft: may be extended; hard: the talks end
extension_prob = 0.5
label = "A's deadline"

[uncertainty]                   # inputs no source pins down: drawn per world
"parties.B.reservation.base" = {{ dist = "uniform", low = 0.35, high = 0.55 }}

[events.border_deal]            # a question every run answers by date
kind = "deal"
agreed = ["BORDER"]
label = "a deal with the border agreed"
"""


def skeleton(name: str) -> str:
    """The text of a commented scenario called ``name`` that validates as it stands."""
    return SKELETON.format(name=name)


def json_schema() -> dict:
    """The JSON Schema of the scenario format (for editors that check TOML as it is typed)."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["properties"].pop("source", None)  # set by the loader, never written in a file
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
