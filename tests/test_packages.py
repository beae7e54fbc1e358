"""Packages (linkage and decoupling): parts of a text signed separately. A package signs
alone while another stays blocked; once signed its clauses are fixed; every package signed
is a deal."""

import copy

import numpy as np
import pytest

from negosim import NegotiationModel
from negosim.cli import main
from negosim.scenario import build_scenario

from conftest import with_disputed_city

SEEDS = range(30)
PACKAGES = {"core": {"label": "the two sides' priorities", "clauses": ["X", "Y"]}, "city": {"clauses": ["Z"]}}


@pytest.fixture(scope="module")
def raw():
    return with_disputed_city()


def _model(raw, packages=None, **changes):
    raw = copy.deepcopy(raw)
    if packages is not None:
        raw["packages"] = packages
        raw["events"] = {"core_signed": {"kind": "package", "package": "core"}}
    raw.update(changes)
    return NegotiationModel(build_scenario(raw, "<packages>"), SEEDS)


def test_linked_clauses_fall_with_the_one_that_blocks(raw):
    table = _model(raw).run().outcomes()
    assert not (table["status"] == "deal").any()
    assert "package_core_round" not in table


def test_a_package_signs_alone_and_the_world_ends_partial(raw):
    table = _model(raw, PACKAGES).run().outcomes()
    assert (table["package_core_round"] >= 0).all()
    assert (table["package_city_round"] == -1).all()
    assert (table["status"] == "partial").all()
    assert (table["event_core_signed"] == table["package_core_round"]).all()
    assert (table["deal_round"] == -1).all()


def test_a_signed_package_is_fixed(raw):
    model = _model(raw, PACKAGES)
    core = [model.clause_ids.index(c) for c in ("X", "Y")]
    fixed = None
    while model.running:
        model.step()
        signed = model.mediator.package_round[:, 0] >= 0
        if fixed is not None:
            was = ~np.isnan(fixed[:, 0])
            assert np.array_equal(model.mediator.text[was][:, core], fixed[was])
        fixed = np.where(signed[:, None], model.mediator.text[:, core], np.nan)
    assert signed.all()


def test_every_package_signed_is_a_deal(raw):
    free = copy.deepcopy(raw)
    for pid in ("A", "B"):
        free["parties"][pid]["red_lines"] = {}
    table = _model(free, PACKAGES).run().outcomes()
    assert (table["status"] == "deal").all()
    both = table[["package_core_round", "package_city_round"]]
    assert (both >= 0).all().all()
    assert (table["deal_round"] == both.max(axis=1)).all()
    assert (table["accept_round_A"] >= 0).all() and (table["sign_round_B"] >= 0).all()


@pytest.mark.parametrize(
    "packages,key",
    [
        ({"core": {"clauses": ["X", "Y"]}}, "packages"),  # Z in no package
        ({"core": {"clauses": ["X", "Y", "Z"]}, "again": {"clauses": ["Z"]}}, "packages.again.clauses"),
        ({"core": {"clauses": ["X", "Y", "NOPE"]}, "city": {"clauses": ["Z"]}}, "packages.core.clauses"),
    ],
)
def test_packages_that_do_not_split_the_text_are_one_line(raw, tmp_path, capsys, packages, key):
    import tomli_w

    bad = copy.deepcopy(raw)
    bad["packages"] = packages
    text = build_scenario({**copy.deepcopy(raw), "packages": PACKAGES}, "<ok>").model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    text["packages"] = packages
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(text))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and key in err[0]
