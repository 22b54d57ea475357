"""Read the deployment files (.env.example, docker-compose.yml, Dockerfile) and check that the
commands they run name things that exist in this project."""

import ast
import importlib
import re
import shlex
import warnings
from pathlib import Path

import yaml
from django.core.management import get_commands, load_command_class
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS_FILE = ROOT / "config" / "settings.py"

_ENV_LINE = re.compile(r"^(?P<key>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def env_example() -> dict[str, str]:
    """Return the variables of .env.example, quotes removed as docker compose removes them."""
    variables = {}
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(line)
        if match is None:
            raise ValueError(f".env.example line {number} is not KEY=VALUE: {line!r}")
        value = match["value"]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        variables[match["key"]] = value
    return variables


def settings_variables() -> set[str]:
    """Return the names of the environment variables that config/settings.py reads."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS_FILE.read_text())):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            first = node.args[0] if node.args else None
            named = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if named and (func in {"os.environ.get", "os.getenv"} or func.startswith("env_")):
                names.add(first.value)
            if func == "dj_database_url.config":
                # dj-database-url reads DATABASE_URL unless told another name with env=.
                env = next((k.value for k in node.keywords if k.arg == "env"), None)
                names.add(env.value if isinstance(env, ast.Constant) else "DATABASE_URL")
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def compose() -> dict:
    """Return docker-compose.yml as docker compose sees it (YAML merge keys resolved)."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_variables() -> set[str]:
    """Return the variables docker compose interpolates in docker-compose.yml.

    `$$` is compose's literal dollar, left for the container's shell (e.g. $$HOSTNAME).
    """
    text = COMPOSE_FILE.read_text().replace("$$", "")
    return set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))


def as_argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def healthcheck_argv(test: str | list[str]) -> list[str]:
    """Return the command of a compose healthcheck `test` (CMD, CMD-SHELL or a plain string)."""
    if isinstance(test, str):
        return shlex.split(test)
    kind, *rest = test
    if kind == "CMD-SHELL":
        return shlex.split(rest[0])
    if kind == "CMD":
        return rest
    raise ValueError(f"unexpected healthcheck test {test!r}")


def command_problems(command: str | list[str]) -> list[str]:
    """Return what is wrong with a command run in the project's image; empty when all exists."""
    argv = as_argv(command)
    if len(argv) >= 3 and argv[0] in {"sh", "bash"} and argv[1] == "-c":
        return [p for part in argv[2].split("&&") for p in command_problems(part.strip())]
    program, *args = argv
    if program == "gunicorn":
        return _gunicorn_problems(args)
    if program == "celery":
        return _celery_problems(args)
    if program == "python" and args[:1] == ["manage.py"]:
        return _manage_problems(args[1:])
    if program == "python" and args[:1] == ["-c"]:
        try:
            compile(args[1], "<command>", "exec")
        except SyntaxError as exc:
            return [f"python -c: {exc}"]
        return []
    return [f"{program}: not a program this project's image provides"]


def _import_problems(target: str, default_attribute: str) -> list[str]:
    module_name, _, attribute = target.partition(":")
    attribute = attribute or default_attribute
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return [f"{target}: {exc}"]
    if not hasattr(module, attribute):
        return [f"{target}: module {module_name} has no {attribute}"]
    return []


def _gunicorn_problems(args: list[str]) -> list[str]:
    from gunicorn.config import Config

    try:
        parsed = Config().parser().parse_args(args)
    except SystemExit:
        return [f"gunicorn: options not understood: {args}"]
    if len(parsed.args) != 1:
        return [f"gunicorn: expected one WSGI application, got {parsed.args}"]
    return _import_problems(parsed.args[0], "application")


def _celery_problems(args: list[str]) -> list[str]:
    import click
    from celery.app.utils import find_app
    from celery.bin.base import CLIContext
    from celery.bin.celery import celery as celery_cli
    from celery.worker.control import Panel

    from config.celery import app as portal_app

    try:
        context = celery_cli.make_context("celery", list(args))
        app_name = context.params.get("app")
        if not app_name:
            return ["celery: no -A/--app given"]
        try:
            app = find_app(app_name)
        except Exception as exc:  # find_app raises whatever importing the name raises
            return [f"celery -A {app_name}: {exc}"]
        if app is not portal_app:
            return [f"celery -A {app_name}: finds {app!r}, not config.celery.app"]
        context.obj = CLIContext(app=app, no_color=True, workdir=None, quiet=True)
        with warnings.catch_warnings():
            # click 8.2 deprecates protected_args; it still holds the subcommand's name.
            warnings.simplefilter("ignore", DeprecationWarning)
            name, *rest = [*context.protected_args, *context.args]
        subcommand = celery_cli.get_command(context, name)
        if subcommand is None:
            return [f"celery: no subcommand {name!r}"]
        parsed = subcommand.make_context(name, rest, parent=context).params
    except click.ClickException as exc:
        return [f"celery {' '.join(args)}: {exc.format_message()}"]
    if name in {"inspect", "control"}:
        action = Panel.meta.get(parsed["command"])
        if action is None or action.type != name:
            return [f"celery {name}: no {name} action {parsed['command']!r}"]
    return []


def _manage_problems(args: list[str]) -> list[str]:
    if not args:
        return ["manage.py: no command"]
    name, *options = args
    commands = get_commands()
    if name not in commands:
        return [f"manage.py {name}: no such command"]
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    try:
        parser.parse_args(options)
    except CommandError as exc:
        return [f"manage.py {name}: {exc}"]
    return []


def dockerfile_instructions() -> list[tuple[str, str]]:
    """Return the Dockerfile's instructions as (INSTRUCTION, arguments), continuations joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions
