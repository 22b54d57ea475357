"""The layers of ARCHITECTURE.md hold: no app imports an app above it.

The contract itself is `[tool.importlinter]` in pyproject.toml (import-linter); `make test` runs
`lint-imports`, and these tests check the same contract inside pytest, prove that it catches an
upward import, and keep it complete: every project app and every module of `portal` has its
layer, so a new one cannot slip past it.
"""

from copy import deepcopy
from pathlib import Path

import grimp
import pytest
from django.apps import apps
from importlinter.api import read_configuration
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def layers():
    """The layers contract of pyproject.toml and the project's import graph."""
    options = read_configuration(str(ROOT / "pyproject.toml"))
    session_options = options["session_options"]
    (contract_options,) = [c for c in options["contracts_options"] if c["id"] == "layers"]
    contract = LayersContract(
        name=contract_options["name"],
        session_options=session_options,
        contract_options=contract_options,
    )
    graph = grimp.build_graph(*session_options["root_packages"], cache_dir=None)
    return contract, graph, session_options["root_packages"]


def _upward_imports(check) -> list[str]:
    return [
        f"{chains['importer']} -> {chains['imported']}"
        for chains in check.metadata["invalid_dependencies"]
    ]


def _layer_modules(contract) -> list[list[str]]:
    """Each layer's module names, highest layer first."""
    return [[tail.name for tail in layer.module_tails] for layer in contract.layers]


def test_layers_contract_is_kept(layers):
    contract, graph, _roots = layers
    check = contract.check(deepcopy(graph), verbose=False)
    assert _upward_imports(check) == []
    assert check.kept
    # Every exception still names an import that exists: a fixed one must leave the list.
    assert check.warnings == []


def test_layers_contract_breaks_on_an_upward_import(layers):
    contract, graph, _roots = layers
    graph = deepcopy(graph)
    # What cohorts did before it announced enrolments: open the roadmap itself.
    graph.add_import(
        importer="cohorts.services",
        imported="roadmaps.services",
        line_number=1,
        line_contents="from roadmaps.services import roadmap_open",
    )
    check = contract.check(graph, verbose=False)
    assert not check.kept
    assert _upward_imports(check) == ["cohorts -> roadmaps"]


def test_layers_contract_breaks_on_an_app_importing_the_top_of_portal(layers):
    contract, graph, _roots = layers
    graph = deepcopy(graph)
    graph.add_import(
        importer="cities.views",
        imported="portal.selectors",
        line_number=1,
        line_contents="from portal.selectors import home_sections_for",
    )
    check = contract.check(graph, verbose=False)
    assert _upward_imports(check) == ["cities -> portal.selectors"]


def test_every_project_app_is_a_layer_in_the_order_of_installed_apps(layers):
    contract, _graph, roots = layers
    project_apps = [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    ]
    assert sorted(project_apps) == sorted(roots)
    # INSTALLED_APPS lists the project apps lowest first; portal holds the foundation (the
    # lowest layer) and the top, so it is installed last, as the top.
    layer_of = {}
    for position, modules in enumerate(reversed(_layer_modules(contract))):
        for module in modules:
            layer_of.setdefault(module.split(".")[0], position)
    assert [app for app in project_apps if app != "portal"] == sorted(
        (app for app in project_apps if app != "portal"), key=layer_of.__getitem__
    )
    assert project_apps[-1] == "portal"


def test_every_module_of_portal_has_a_layer(layers):
    contract, graph, _roots = layers
    named = {module for modules in _layer_modules(contract) for module in modules}

    def has_layer(module: str) -> bool:
        return any(module == name or module.startswith(name + ".") for name in named)

    # The packages themselves: portal/__init__.py only loads the Celery app (top), and
    # portal/api/__init__.py is empty.
    packages = {"portal", "portal.api"}
    unplaced = sorted(
        module
        for module in graph.find_descendants("portal")
        if module not in packages and not has_layer(module)
    )
    assert unplaced == []
