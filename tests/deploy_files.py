"""Reading the deployment files as Docker, Compose and systemd read them: instructions,
services, environment interpolation, unit sections. Helpers for the deployment tests."""

from __future__ import annotations

import configparser
import fnmatch
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
UNIT = ROOT / "deploy" / "tst-bot.service"
COMPOSE_ENV = ROOT / "deploy" / "compose.env.example"
UNIT_ENV = ROOT / "deploy" / "tst-bot.env.example"


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY, ...
    args: str


def dockerfile_stages(path: Path = DOCKERFILE) -> list[list[Instruction]]:
    """The Dockerfile's instructions, one list per stage (a stage starts at FROM); comments
    dropped and continuation lines joined, as the Docker parser does."""
    stages: list[list[Instruction]] = []
    pending = ""
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        pending = ""
        instruction = Instruction(keyword.upper(), args.strip())
        if instruction.keyword == "FROM":
            stages.append([])
        assert stages, f"{instruction.keyword} before FROM"
        stages[-1].append(instruction)
    return stages


def exec_form(args: str) -> list[str]:
    """A JSON exec form (`["tst", "run"]`): shell forms are refused, since only the exec form
    lets `tst run` receive SIGTERM itself."""
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def last(stage: list[Instruction], keyword: str) -> Instruction | None:
    found = [i for i in stage if i.keyword == keyword]
    return found[-1] if found else None


def image_command(stage: list[Instruction]) -> list[str]:
    """What the container runs by default: ENTRYPOINT followed by CMD."""
    entry, cmd = last(stage, "ENTRYPOINT"), last(stage, "CMD")
    return (exec_form(entry.args) if entry else []) + (exec_form(cmd.args) if cmd else [])


def healthcheck_command(stage: list[Instruction]) -> list[str]:
    check = last(stage, "HEALTHCHECK")
    assert check is not None, "the image has no HEALTHCHECK"
    _options, _, command = check.args.partition("CMD ")
    return exec_form(command)


def image_env(stage: list[Instruction]) -> dict[str, str]:
    """The ENV of a stage (`ENV A=1 B=2` forms), references such as $PATH left as written."""
    env: dict[str, str] = {}
    for instruction in stage:
        if instruction.keyword == "ENV":
            for word in shlex.split(instruction.args):
                key, sep, value = word.partition("=")
                assert sep, f"ENV {instruction.args}: use the KEY=value form"
                env[key] = value
    return env


def dockerignored(relative: str, path: Path = ROOT / ".dockerignore") -> bool:
    """Whether the build context leaves `relative` (or a folder above it) out. Enough of
    Docker's rules for plain patterns: a pattern matches the path or one of its parents, and
    a later `!pattern` brings a path back."""
    excluded = False
    parts = Path(relative).parts
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    for raw in path.read_text("utf-8").splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        keep = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatch(Path(c).name, pattern[3:]) for c in candidates)
        else:
            hit = any(fnmatch.fnmatch(c, pattern) for c in candidates)
        if hit:
            excluded = not keep
    return excluded


def compose(path: Path = COMPOSE) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(document, dict)
    return document


VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[?-])(?P<arg>[^}]*))?\}")


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}` (an unset or empty
    required variable stops Compose with its message: here, a test failure)."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"] or "", match["arg"] or ""
        found = variables.get(name, "")
        if op.endswith("?"):
            assert found, f"compose would stop: {arg}"
        if op.endswith("-") and not found:
            return arg
        return found

    return VARIABLE.sub(one, value)


def referenced_variables(text: str) -> set[str]:
    return {m["name"] for m in VARIABLE.finditer(text)}


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    """A service's `environment`, in the mapping or the list form."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(str(item).partition("=")[::2] for item in env)
    return {str(k): str(v) for k, v in env.items()}


@dataclass(frozen=True)
class EnvLine:
    key: str
    value: str
    commented: bool


ENV_LINE = re.compile(r"^(?P<hash>#\s*)?(?P<key>[A-Z][A-Z0-9_]*)=(?P<value>\S*)\s*$")


def env_example(path: Path) -> list[EnvLine]:
    """The KEY=value lines of an example environment file, commented-out ones included
    (those are the choices a reader uncomments)."""
    found = []
    for raw in path.read_text("utf-8").splitlines():
        match = ENV_LINE.match(raw.strip())
        if match:
            found.append(EnvLine(match["key"], match["value"], bool(match["hash"])))
    return found


def systemd_unit(path: Path = UNIT) -> configparser.ConfigParser:
    """The unit's sections and keys, case kept, as INI (systemd's own syntax is INI's)."""
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text("utf-8"))
    return parser


def markdown_section(text: str, title: str) -> str:
    """The text under a `## title` heading, up to the next heading of the same level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match is not None, f"no section '## {title}'"
    return match.group(1)
