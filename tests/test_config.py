"""workspace.yaml validation: what it accepts, and errors that name the file and the line to fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rete.config import ConfigError, load_workspace

BASE = """\
name: Test workspace
clients:
  - name: Pastificio Test
    slug: test
    brands:
      - name: Testa
        handles: {handles}
sources:
  - name: news
    type: rss
    urls: [http://127.0.0.1:9/feed.xml]
"""
HANDLES_LINE = 7


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "workspace.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def config_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as failure:
        load_workspace(write(tmp_path, text))
    return str(failure.value)


def test_handles_of_every_platform_are_accepted(tmp_path):
    handles = ('["@testa", "@testa_care", "@testa.bsky.social", "@testa@mastodon.uno", '
               '"@Testa_IT@social.example-host.org"]')
    workspace = load_workspace(write(tmp_path, BASE.format(handles=handles)))
    assert "@testa@mastodon.uno" in workspace.clients[0].brands[0].handles


@pytest.mark.parametrize("handle", ["testa", "@", "@testa@", "@testa@localhost", "@testa@mastodon.uno@x.org",
                                    "@te sta", "@testa@host..org"])
def test_a_malformed_handle_names_file_line_and_the_expected_forms(tmp_path, handle):
    message = config_error(tmp_path, BASE.format(handles=f'["@fine", "{handle}"]'))
    path = tmp_path / "workspace.yaml"
    assert message.startswith(f"{path}, line {HANDLES_LINE}: clients[0].brands[0].handles")
    assert repr(handle) in message and "@name@instance.tld" in message


def test_an_unknown_key_points_at_its_line(tmp_path):
    text = BASE.format(handles="[]").replace("    slug: test\n", "    slug: test\n    colour: blue\n")
    message = config_error(tmp_path, text)
    assert f"{tmp_path / 'workspace.yaml'}, line 5: clients[0].colour" in message


def test_a_bad_source_field_points_at_the_source(tmp_path):
    text = BASE.format(handles="[]") + (
        "  - name: fedi\n"
        "    type: mastodon\n"
        "    hashtags: [notatag]\n"
        "    instances: [https://mastodon.uno]\n"
    )
    message = config_error(tmp_path, text)
    assert f"{tmp_path / 'workspace.yaml'}, line 14: sources[1]" in message and "'notatag'" in message


def test_duplicate_source_names_and_invalid_yaml(tmp_path):
    duplicated = BASE.format(handles="[]") + "  - {name: news, type: rss, urls: [http://127.0.0.1:9/b.xml]}\n"
    assert "source name used twice: news" in config_error(tmp_path, duplicated)
    broken = BASE.format(handles="[]").replace("    slug: test", "    slug: [test")
    message = config_error(tmp_path, broken)
    assert message.startswith(f"{tmp_path / 'workspace.yaml'}, line ") and "invalid YAML" in message


def test_a_missing_workspace_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="workspace.yaml: file not found"):
        load_workspace(tmp_path)


def test_trained_models_resolve_against_the_workspace(tmp_path):
    text = BASE.format(handles="[]") + "models:\n  intents: {it: mine/intents-it.npz}\n  sentiment: {en: /abs/s-en.npz}\n"
    workspace = load_workspace(write(tmp_path, text))
    assert workspace.model_paths == {
        "sentiment": {"en": "/abs/s-en.npz"},
        "intents": {"it": str((tmp_path / "mine" / "intents-it.npz").resolve())},
    }
    assert load_workspace(write(tmp_path, BASE.format(handles="[]"))).model_paths == {}


def test_a_trained_model_for_an_unknown_language_points_at_its_line(tmp_path):
    text = BASE.format(handles="[]") + "models:\n  intents: {fr: mine.npz}\n"
    assert f"{tmp_path / 'workspace.yaml'}, line 13: models.intents.fr" in config_error(tmp_path, text)
