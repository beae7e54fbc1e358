"""The valid range of a number in a data file, read from the schema's own annotations.

A key path (``parties.RU.salience.T_DONBAS``, ``channels.1.latency``) is walked
through the pydantic models: their fields (by name or alias), ``dict[str, X]``
(any key), ``tuple[X, ...]`` (any index), ``X | None`` and ``Annotated``
constraints (``ge``/``gt``/``le``/``lt``). Uncertainty draws and error
messages use it, so a range is written once, beside its field.

>>> from negosim.scenario.schema import Scenario
>>> field_range(Scenario, "parties.A.salience.X")
FieldRange(low=0.0, high=1000.0, low_open=False, high_open=False, integer=False)
>>> field_range(Scenario, "channels.0.reliability").describe()
'a number in (0, 1]'
>>> str(field_range(Scenario, "channels.3.latency"))
'an integer in [1, 60]'
>>> field_range(Scenario, "meta.name") is None  # text, not a number
True
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class FieldRange:
    """The numbers a field accepts: from ``low`` to ``high``, each end open (strict) or
    closed, integers only if ``integer``.

    >>> r = FieldRange(0.0, 1.0, low_open=True)
    >>> 0.0 in r, 1.0 in r, r.inner[0] > 0.0
    (False, True, True)
    >>> r.within(-5.0, 0.5).describe()
    'a number in (0, 0.5]'
    """

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    @property
    def finite(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)

    @property
    def inner(self) -> tuple[float, float]:
        """The least and greatest values inside: a strict bound's nearest representable neighbour."""
        low = math.nextafter(self.low, math.inf) if self.low_open else self.low
        high = math.nextafter(self.high, -math.inf) if self.high_open else self.high
        return low, high

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.integer and not float(value).is_integer():
            return False
        low, high = self.inner
        return low <= value <= high  # False for NaN

    def within(self, low: float | None, high: float | None) -> FieldRange:
        """This range cut to the closed interval [low, high] (None: no cut on that side)."""
        cut = self
        if low is not None and low > cut.low:
            cut = replace(cut, low=low, low_open=False)
        if high is not None and high < cut.high:
            cut = replace(cut, high=high, high_open=False)
        return cut

    @property
    def empty(self) -> bool:
        low, high = self.inner
        return low > high

    def describe(self) -> str:
        kind = "an integer" if self.integer else "a number"
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{kind} in {left}{_number(self.low)}, {_number(self.high)}{right}"

    __str__ = describe


def _number(x: float) -> str:
    """A bound as people write it: 1000, 0.25, 1e+06, inf."""
    return str(int(x)) if math.isfinite(x) and x.is_integer() and abs(x) < 1e6 else f"{x:g}"


@lru_cache(maxsize=4096)
def field_range(model: type[BaseModel], path: str | tuple) -> FieldRange | None:
    """The range of the number at ``path`` in ``model`` (None if that field is not a
    number; KeyError if the schema has no such path). ``*`` stands for any key or index;
    a tuple of parts (a pydantic error's ``loc``) may hold keys with dots.

    >>> from negosim.scenario.schema import Scenario
    >>> field_range(Scenario, "mediator.step")
    FieldRange(low=0.0, high=0.15, low_open=True, high_open=False, integer=False)
    >>> field_range(Scenario, "parties.*.colour")
    Traceback (most recent call last):
    KeyError: 'parties.*.colour'
    """
    parts = path.split(".") if isinstance(path, str) else [str(p) for p in path]
    node, metadata = model, []
    for part in parts:
        node = _unwrap(node, metadata)
        node, metadata = _child(node, part, ".".join(parts))
    return _range(_unwrap(node, metadata), metadata)


def numeric_fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldRange]]:
    """Every number of the schema as (key-path pattern, range); ``*`` is any key or index.

    >>> from negosim.scenario.parties import Walkout
    >>> [(path, str(r)) for path, r in numeric_fields(Walkout)]
    [('margin', 'a number in [0, 10]'), ('patience', 'an integer in [1, 2000]')]
    """
    stack: list[tuple[str, object]] = [(prefix, model)]
    while stack:
        path, node = stack.pop(0)
        metadata: list = []
        node = _unwrap(node, metadata)
        found = _range(node, metadata)
        if found is not None:
            yield path, found
        for part, child in _children(node):
            stack.append((f"{path}.{part}" if path else part, child))


def _unwrap(node: object, metadata: list) -> object:
    """Strip ``Annotated`` (keeping its metadata) and ``X | None``."""
    while True:
        origin = typing.get_origin(node)
        if origin is typing.Annotated:
            metadata.extend(node.__metadata__)
            node = typing.get_args(node)[0]
        elif origin in (typing.Union, types.UnionType):
            arms = [a for a in typing.get_args(node) if a is not type(None)]
            if len(arms) != 1:
                return node
            node = arms[0]
        else:
            return node


def _children(node: object) -> list[tuple[str, object]]:
    """The fields (by alias), or ``*`` and the element type, of a table or container."""
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [(info.alias or name, _annotated(info)) for name, info in node.model_fields.items()]
    origin, args = typing.get_origin(node), typing.get_args(node)
    if origin is dict:
        return [("*", args[1])]
    if origin in (tuple, list) and args:
        return [("*", args[0])]  # a pair (poles) holds one kind of element
    return []


def _annotated(info: FieldInfo) -> object:
    """A model field's type with its constraints put back on (pydantic keeps them apart)."""
    return typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation


def _child(node: object, part: str, path: str) -> tuple[object, list]:
    if isinstance(node, type) and issubclass(node, BaseModel):
        for name, info in node.model_fields.items():
            if part in (name, info.alias):
                return info.annotation, list(info.metadata)
        raise KeyError(path)
    origin, args = typing.get_origin(node), typing.get_args(node)
    if origin is dict:
        return args[1], []
    if origin in (tuple, list) and args and (part == "*" or part.isdigit()):
        fixed = origin is tuple and args[-1] is not Ellipsis
        if not fixed:
            return args[0], []
        if part == "*" or int(part) < len(args):
            return args[0 if part == "*" else int(part)], []
    raise KeyError(path)


def _range(node: object, metadata: list) -> FieldRange | None:
    if node not in (int, float):  # bool, text, dates, enums, tables
        return None
    found = FieldRange(integer=node is int)
    for item in metadata:
        for c in item.metadata if isinstance(item, FieldInfo) else [item]:
            if isinstance(c, at.Ge) and c.ge >= found.low:
                found = replace(found, low=c.ge, low_open=found.low_open and c.ge == found.low)
            elif isinstance(c, at.Gt) and c.gt >= found.low:
                found = replace(found, low=c.gt, low_open=True)
            elif isinstance(c, at.Le) and c.le <= found.high:
                found = replace(found, high=c.le, high_open=found.high_open and c.le == found.high)
            elif isinstance(c, at.Lt) and c.lt <= found.high:
                found = replace(found, high=c.lt, high_open=True)
    return found
