"""One declaration of the engine's parameters: the echo, the index fingerprint and the
prepared-text cache key all come from it, and the settings read it from the environment."""

from __future__ import annotations

import pytest

from workers.engine.params import EngineParams
from workers.settings import Settings
from workers.store import index_fingerprint


def test_the_echo_holds_every_parameter_that_shapes_a_result() -> None:
    echo = Settings(extra_wires={"Kyodo": ["Kyodo News"]}, rewrite_max_units=7).echo()
    assert set(EngineParams.model_fields) <= set(echo)
    assert echo["extra_wires"] == {"Kyodo": ["Kyodo News"]}
    assert echo["rewrite_max_units"] == 7
    assert echo["lsh_bands"] == echo["num_perm"] // echo["lsh_rows"]


def test_the_index_fingerprint_follows_the_declaration() -> None:
    fingerprint = index_fingerprint(Settings())
    for name in EngineParams.shaping("index"):
        assert fingerprint[name] == str(getattr(Settings(), name))
    assert "verdict_wholly" not in fingerprint  # a verdict cut-off does not change the index
    assert index_fingerprint(Settings(num_perm=16)) != fingerprint


def test_the_prepared_key_changes_with_what_prepares_a_text() -> None:
    base = EngineParams()
    assert base.prepared_key() != EngineParams(shingle_size=5).prepared_key()
    assert base.prepared_key() == EngineParams(verdict_wholly=0.9).prepared_key()


def test_settings_read_engine_parameters_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WIRETRACE_SHINGLE_SIZE", "5")
    params = Settings().engine_params()
    assert type(params) is EngineParams
    assert params.shingle_size == 5
    assert set(params.model_dump()) == set(EngineParams.model_fields)
