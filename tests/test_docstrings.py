"""The examples in docstrings run and say what they claim."""

import doctest
import importlib

import pytest

from conftest import ROOT

MODULES = ["negosim.model", "negosim.streams", "negosim.analysis", "negosim.reference", "negosim.study"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # examples name scenario files relative to the repository
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
