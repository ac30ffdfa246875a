"""genbib.toml: found by walking up or given; every mistake names file, key and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from genbib.config import API_URL_ENV, Config, Topic, find_config, from_dict, load
from genbib.errors import ConfigError

FULL = """
bib = "refs/lab.bib"
templates = "tpl"
order = "input"

[keys]
formula = "{Author}{year}{title}"

[output]
lists = "out/lists"
related_work = "out/rw"

[zotero]
library_type = "group"
library_id = 123456
api_key_env = "LAB_ZOTERO_KEY"

[[topics]]
slug = "diffusion"
title = "Diffusion Models"
aliases = ["Diffusion", "Score-based models"]
collection = "Diffusion"
description = "Denoising diffusion and score-based generative models."

[[topics]]
slug = "gans"
title = "GANs"
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = load()
    assert cfg == Config()
    assert cfg.source == "" and cfg.root == tmp_path
    assert cfg.bib_path == tmp_path / "bib" / "genmodels.bib"
    assert cfg.zotero.api_key_env == "ZOTERO_API_KEY"
    assert cfg.zotero.url == "https://api.zotero.org"
    assert not cfg.zotero.configured
    with pytest.raises(ConfigError, match=r"no genbib\.toml found"):
        load(required=True)


def test_full_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "genbib.toml", FULL)
    cfg = load(path)
    assert cfg.source == str(path)
    assert cfg.bib_path == tmp_path / "refs" / "lab.bib"
    assert cfg.path("tpl") == tmp_path / "tpl"
    assert cfg.order == "input"
    assert cfg.keys.formula == "{Author}{year}{title}"
    assert cfg.output.related_work == "out/rw"
    assert cfg.zotero.library_id == "123456"  # numbers accepted for ids
    assert cfg.zotero.configured
    assert cfg.topics[0] == Topic(
        "diffusion",
        "Diffusion Models",
        ("Diffusion", "Score-based models"),
        "Diffusion",
        "Denoising diffusion and score-based generative models.",
    )
    assert cfg.topic("gans") is not None and cfg.topic("gans").collection_name == "GANs"  # type: ignore[union-attr]
    assert cfg.topic("nope") is None


def test_found_by_walking_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "genbib.toml", 'bib = "x.bib"\n')
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config() == (tmp_path / "genbib.toml").resolve()
    cfg = load()
    assert cfg.bib_path == tmp_path.resolve() / "x.bib"  # relative to the file, not the cwd


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ('bibb = "x"', ["unknown key 'bibb'", "expected one of", "bib"]),
        ('[keys]\nformla = "x"', ["unknown key 'keys.formla'", "formula"]),
        ("bib = 3", ["bib: expected a string, got an integer 3"]),
        ('order = "random"', ["order: expected one of 'key', 'input', got 'random'"]),
        ('keys = "x"', ["keys: expected a table, got a string"]),
        ("[zotero]\nmax_delete_share = true", ["zotero.max_delete_share: expected a number"]),
        ('[[topics]]\ntitle = "no slug"', ["topics[0]: missing required key 'slug'"]),
        ('[[topics]]\nslug = "a"\naliases = "x"', ["topics[0].aliases: expected a list"]),
        ('[[topics]]\nslug = "a"\n[[topics]]\nslug = "a"', ["slug(s) defined twice: a"]),
        ('[keys]\nformula = "{author}{venue}"', ["keys.formula", "unknown placeholder"]),
        ("bib = ", ["not valid TOML"]),
    ],
)
def test_errors_name_file_key_and_expectation(tmp_path: Path, text: str, pieces: list[str]) -> None:
    path = _write(tmp_path / "genbib.toml", text)
    with pytest.raises(ConfigError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(str(path))
    for piece in pieces:
        assert piece in message


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load(tmp_path / "nope.toml")


def test_api_url_environment_override(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = from_dict({"zotero": {"api_url": "https://zotero.example.org"}})
    monkeypatch.delenv(API_URL_ENV, raising=False)
    assert cfg.zotero.url == "https://zotero.example.org"
    monkeypatch.setenv(API_URL_ENV, "http://127.0.0.1:8123")
    assert API_URL_ENV == "GENBIB_ZOTERO_API_URL"
    assert cfg.zotero.url == "http://127.0.0.1:8123"


def test_dash_spelling_of_keys_is_accepted() -> None:
    cfg = from_dict({"output": {"related-work": "rw"}})
    assert cfg.output.related_work == "rw"
