"""The layers of ARCHITECTURE.md hold: no app imports an app above it.

The contract itself is `[tool.importlinter]` in pyproject.toml (import-linter); `make test` runs
`lint-imports`, and these tests check the same contract inside pytest, prove that it catches an
upward import, and keep it complete: every project app has its layer, in the order of
INSTALLED_APPS, so a new one cannot slip past it.
"""

import os
import subprocess
import sys
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


def test_layers_contract_breaks_on_an_app_importing_the_home_pages(layers):
    contract, graph, _roots = layers
    graph = deepcopy(graph)
    graph.add_import(
        importer="cities.views",
        imported="home.selectors",
        line_number=1,
        line_contents="from home.selectors import home_sections_for",
    )
    check = contract.check(graph, verbose=False)
    assert _upward_imports(check) == ["cities -> home"]


def test_layers_contract_breaks_on_the_foundation_importing_an_app(layers):
    contract, graph, _roots = layers
    graph = deepcopy(graph)
    graph.add_import(
        importer="portal.errors",
        imported="cities.models",
        line_number=1,
        line_contents="from cities.models import City",
    )
    check = contract.check(graph, verbose=False)
    assert _upward_imports(check) == ["portal -> cities"]


def test_every_project_app_is_a_layer_in_the_order_of_installed_apps(layers):
    contract, _graph, roots = layers
    project_apps = [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    ]
    # `config` (settings, root URLs, Celery, WSGI/ASGI) is a package, not an app.
    assert sorted(project_apps) == sorted(set(roots) - {"config"})
    # INSTALLED_APPS lists the project apps lowest first: the foundation (`portal`) first, the
    # top (`home`, then `devdata` where installed) last.
    layer_of = {}
    for position, modules in enumerate(reversed(_layer_modules(contract))):
        for module in modules:
            layer_of.setdefault(module.split(".")[0], position)
    assert project_apps == sorted(project_apps, key=layer_of.__getitem__)
    assert project_apps[0] == "portal"
    assert project_apps[-2:] == ["home", "devdata"]


def test_a_production_install_has_no_development_data():
    """Without DEBUG or DEVELOPMENT_DATA the seed commands and demo generators are absent."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "x" * 50,
        "DEBUG": "false",
    }
    env.pop("DEVELOPMENT_DATA", None)
    listing = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "run_periodic_tasks" in listing
    assert {"seed_demo", "seed_scale", "demo_logins", "seed_reference"} & set(listing) == set()
    env["DEVELOPMENT_DATA"] = "true"
    listing = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert {"seed_demo", "seed_scale", "demo_logins", "seed_reference"} <= set(listing)
