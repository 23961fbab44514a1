"""The Dockerfile: one slim, non-root image whose install step really installs the project."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATA_SUFFIXES = (".sql", ".yaml", ".yml", ".md", ".jsonl", ".txt", ".json")  # package-data


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_one_slim_python_image_run_as_a_user_with_runbooks_as_entrypoint() -> None:
    steps = instructions()
    assert [args for op, args in steps if op == "FROM"] == ["python:3.11-slim"]
    users = [args for op, args in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [args for op, args in steps if op == "ENTRYPOINT"] == ['["runbooks"]']
    assert any(op == "RUN" and "pip install ." in args for op, args in steps)


def shipped_packages() -> list[str]:
    """The top-level packages pyproject.toml says the distribution holds."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if (p / "__init__.py").is_file() and any(fnmatch(p.name, pattern) for pattern in patterns)
    )


@pytest.fixture
def build_context(tmp_path: Path) -> Path:
    """The files the Dockerfile copies into its WORKDIR, copied the same way."""
    context = tmp_path / "src"
    context.mkdir()
    for op, args in instructions():
        if op != "COPY" or args.startswith("--from"):
            continue
        *sources, target = shlex.split(args)
        into_folder = len(sources) > 1 or target.endswith("/") or target == "."
        for source in sources:
            origin = ROOT / source
            destination = context / target / origin.name if into_folder else context / target
            if origin.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
                shutil.copytree(origin, destination, ignore=ignore)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, destination)
    return context


def test_the_install_step_installs_every_package_its_data_and_the_runbooks_command(
    build_context: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    # As `pip install .` in the image (isolated build), minus the dependencies this venv has.
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), "."],
        cwd=build_context,
        check=True,
        capture_output=True,
        timeout=300,
    )
    packages = shipped_packages()
    assert {"backend", "runner", "ingest", "agent", "tools"} <= set(packages)
    missing = [
        str(path.relative_to(ROOT))
        for package in packages
        for path in (ROOT / package).rglob("*")
        if path.suffix in (*DATA_SUFFIXES, ".py")
        and "__pycache__" not in path.parts
        and not (site / path.relative_to(ROOT)).is_file()
    ]
    assert missing == []
    env = {**os.environ, "PYTHONPATH": str(site)}
    # Out of the checkout, so only the installed copy can answer.
    helped = subprocess.run(
        [str(site / "bin" / "runbooks"), "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert helped.returncode == 0, helped.stderr
    for command in ("api", "relay", "runner", "ingest", "notifier", "slack", "db"):
        assert f" {command} " in helped.stdout
    where = subprocess.run(
        [sys.executable, "-c", "import backend.cli; print(backend.cli.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert where.stdout.startswith(str(site))
