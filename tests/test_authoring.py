"""Writing a scenario of one's own: `negosim new`, `negosim schema`, and the key reference."""

from __future__ import annotations

import datetime as dt
import json
import tomllib

import pytest

from negosim import run_ensemble
from negosim.scenario import load_scenario, shipped_scenarios

from conftest import ROOT, assert_one_line, run_cli


def test_new_writes_a_commented_skeleton_that_validates_and_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, printed, _ = run_cli(["new", "my_talks"])
    assert status == 0 and "Wrote my_talks.toml" in printed
    text = (tmp_path / "my_talks.toml").read_text()
    assert text.count("#") > 20  # commented, as a newcomer needs it
    assert run_cli(["validate", "my_talks.toml"])[0] == 0
    result = run_ensemble(load_scenario(tmp_path / "my_talks.toml"), 40, progress=False)
    assert result.summary()["outcomes"]["deal"]["p"] > 0.3


@pytest.mark.parametrize(
    ("argv", "needle"), [(["new", "9lives"], "expected a name"), (["new", "a/b"], "expected a name")]
)
def test_new_refuses_a_bad_name(tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    status, _, err = run_cli(argv)
    assert status == 2
    assert_one_line(err, needle)
    assert list(tmp_path.iterdir()) == []


def test_new_never_overwrites_without_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text("my notes")
    status, _, err = run_cli(["new", "mine"])
    assert status == 2 and (tmp_path / "mine.toml").read_text() == "my notes"
    assert_one_line(err, "pass --force")
    assert run_cli(["new", "mine", "--force"])[0] == 0


def _as_json(node):
    """A parsed TOML tree as an editor's JSON view of it (dates as ISO strings)."""
    if isinstance(node, dict):
        return {k: _as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_json(v) for v in node]
    return node.isoformat() if isinstance(node, dt.date) else node


def test_the_json_schema_accepts_every_shipped_scenario_and_rejects_a_typo(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    status, printed, _ = run_cli(["schema"])
    assert status == 0
    schema = json.loads(printed)
    for path in shipped_scenarios().values():
        jsonschema.validate(_as_json(tomllib.loads(path.read_text())), schema)
    raw = _as_json(tomllib.loads((ROOT / "scenarios" / "teaching_two_party.toml").read_text()))
    raw["mediator"]["bais"] = 0.2  # a misspelt key
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, schema)
    raw = _as_json(tomllib.loads((ROOT / "scenarios" / "teaching_two_party.toml").read_text()))
    raw["parties"]["A"]["salience"]["X"] = 5000.0  # out of range
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, schema)


def _model_keys(model, seen=None) -> set[str]:
    """Every key a scenario file may hold (TOML names), walking the pydantic models."""
    import typing

    from pydantic import BaseModel

    seen = set() if seen is None else seen
    keys: set[str] = set()
    if model in seen:
        return keys
    seen.add(model)
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        keys.add(field.alias or name)
        stack = [field.annotation]
        while stack:
            hint = stack.pop()
            if isinstance(hint, type) and issubclass(hint, BaseModel):
                keys |= _model_keys(hint, seen)
            stack.extend(typing.get_args(hint))
    return keys


def test_docs_scenarios_describes_every_key():
    from negosim.scenario.schema import Scenario

    text = (ROOT / "docs" / "scenarios.md").read_text()
    missing = sorted(key for key in _model_keys(Scenario) if f"`{key}`" not in text)
    assert missing == []
