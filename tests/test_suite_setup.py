"""The suite's own set-up: the slow list of tests/conftest.py names tests that exist, so that a
renamed module or test cannot drop out of it (and into `make test-fast`) unnoticed."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import SLOW_PREFIXES


def functions_of(module: Path) -> set[str]:
    tree = ast.parse(module.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("prefix", SLOW_PREFIXES)
def test_each_slow_prefix_names_an_existing_folder_module_or_test(prefix):
    path, _, test = prefix.partition("::")
    target = Path(settings.BASE_DIR) / path

    assert target.exists()
    if test:
        assert any(name.startswith(test.split("[")[0]) for name in functions_of(target))
