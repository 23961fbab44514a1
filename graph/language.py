"""Which language a person writes in (English or Spanish), by cheap cues, without a model."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "es"]

_SPANISH_WORDS = frozenset(
    """
    el la los las un una de del que qué por para con sin y o pero como cómo cuál cuáles cuántos
    hay está están es son fue muestra muéstrame dame dime ver ahora otra vez también favor
    reinicia reiniciar revierte revertir detener detén para reconoce reconocer resuelve resolver
    incidentes incidente estado ayuda trabajo compilación registros errores últimos últimas hoy
    ayer aprueba aprobar rechaza rechazar servidor críticos activos acciones acción lo le
    """.split()
)
_ENGLISH_WORDS = frozenset(
    """
    the a an of to for with and or but how what which show me give tell is are was now again
    please restart rollback roll back stop acknowledge ack resolve incidents incident status help
    job build logs errors last latest today yesterday approve reject server critical active it
    """.split()
)
_WORD = re.compile(r"[a-záéíóúñü]+", re.IGNORECASE)


def detect_language(text: str) -> Language:
    """Spanish when its cues outweigh English ones; English otherwise."""
    if any(mark in text for mark in "¿¡ñÑ"):
        return "es"
    words = [w.lower() for w in _WORD.findall(text)]
    spanish = sum(w in _SPANISH_WORDS for w in words) + sum(
        any(c in w for c in "áéíóú") for w in words
    )
    english = sum(w in _ENGLISH_WORDS for w in words)
    return "es" if spanish > english else "en"
