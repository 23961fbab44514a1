"""Values read from a request without a model: numbers in words, windows, counts, statuses."""

from __future__ import annotations

import pytest

from graph.textvalues import read_values, words_to_digits


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("restart build fifty-eight", 58),
        ("reinicia el build cincuenta y ocho", 58),
        ("status four hundred four", 404),
        ("estado cuatrocientos cuatro", 404),
        ("incident forty four", 44),
        ("¿qué pasó con la acción once?", 11),
        ("build #45", 45),
    ],
)
def test_numbers_in_digits_or_words_in_both_languages(text: str, number: int) -> None:
    assert read_values(text).numbers == (number,)


def test_digits_inside_job_names_are_not_numbers_the_person_stated() -> None:
    assert read_values("rollback release-2.4.x to build 4 please").numbers == (4,)
    assert read_values("logs of web.frontend and team/deploy-prod").numbers == ()


def test_one_alone_is_not_a_number_but_inside_a_number_it_is() -> None:
    assert read_values("tell me more about the second one").numbers == ()
    assert words_to_digits("twenty one builds") == "21 builds"


@pytest.mark.parametrize(
    ("text", "hours", "since"),
    [
        ("what's our MTTR over the last 7 days?", 168, "7d"),
        ("en las últimas doce horas", 12, "12h"),
        ("any ERROR lines during the last hour?", 1, "1h"),
        ("5xx errors in the last 30 minutes", 1, "30m"),
        ("404 responses from the last day", 24, "1d"),
        ("failures in the past two weeks", 336, "14d"),
    ],
)
def test_time_windows(text: str, hours: int, since: str) -> None:
    values = read_values(text)
    assert (values.hours, values.since) == (hours, since)


def test_counts_statuses_methods_levels_and_severities() -> None:
    assert read_values("show the two most critical incidents").count == 2
    assert read_values("las últimas 10 líneas de log").count == 10
    assert read_values("any 5xx errors on the API").statuses == ("5xx",)
    assert read_values("which API requests returned 401?").statuses == (401,)
    assert read_values("show the POST requests").methods == ("POST",)
    assert read_values("please post the results").methods == ()
    assert read_values("show WARN lines").levels == ("WARN",)
    assert read_values("incidentes de severidad baja").severities == ("low",)


def test_numbers_are_anchored_to_what_they_name() -> None:
    anchored = read_values("ya no hay 503 en pagos, resuelve el incidente cuarenta y tres").anchored
    assert anchored["incident"] == 43
    assert read_values("roll back deploy-prod to 122").anchored["target"] == 122


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("what's currently open? just the top 3", 3),
        ("¿qué hay abierto ahora? solo los 3 primeros", 3),
        ("give me the five most recent open incidents", 5),
        ("the last 5 please", 5),
        ("show the 10 latest", 10),
        ("errors in the last 3 hours", None),  # a time window, not a count
    ],
)
def test_a_ranked_count_without_its_noun_is_a_count(text: str, count: int | None) -> None:
    assert read_values(text).count == count
