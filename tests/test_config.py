from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from auditor.core.config import defaults, find_config_file, flatten, render_toml, resolve
from auditor.core.defaults import OPTIONS
from auditor.runtime.errors import ConfigError


def test_every_option_has_a_reason() -> None:
    for option in OPTIONS:
        assert len(option.reason) > 30, option.key


def test_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    cfg = tmp_path / "auditor.toml"
    cfg.write_text("min_exampels = 300\n")
    with pytest.raises(ConfigError, match=r"unknown configuration key 'min_exampels'.*did you mean 'min_examples'"):
        resolve(cfg)
    cfg.write_text("[count]\nmin_per_categori = 3\n")
    with pytest.raises(ConfigError, match="count.min_per_categori"):
        resolve(cfg)


@pytest.mark.parametrize(
    "text,message",
    [
        ('min_examples = "many"', "must be int"),
        ("min_examples = -1", "at least 0"),
        ('task = "poetry"', "must be one of"),
        ("min_examples = true", "must be int"),
        ("[count\n", "not valid TOML"),
    ],
)
def test_bad_values_are_errors(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "auditor.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message):
        resolve(cfg)


def test_found_upward_and_in_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n[tool.auditor]\nmin_examples = 50\n[tool.auditor.count]\nmin_per_category = 3\n")
    monkeypatch.chdir(deep)
    assert find_config_file() == tmp_path / "pyproject.toml"
    cfg = resolve()
    assert cfg["min_examples"] == 50 and cfg["count.min_per_category"] == 3
    (tmp_path / "a" / "auditor.toml").write_text("min_examples = 70\n")
    assert resolve()["min_examples"] == 70
    # overrides win over the file; None means "flag not given"
    assert resolve(overrides={"min_examples": 9, "seed": None})["min_examples"] == 9


def test_severity_table_is_a_value_not_a_section(tmp_path: Path) -> None:
    cfg = tmp_path / "auditor.toml"
    cfg.write_text('[severity]\nCNT002 = "warning"\n')
    assert resolve(cfg)["severity"] == {"CNT002": "warning"}


def test_init_template_is_valid_toml_with_every_option() -> None:
    text = render_toml()
    assert flatten(tomllib.loads(text)) == {}  # everything commented out: defaults stay in force
    value_line = re.compile(r"^#[a-z_]+ = ")
    uncommented = "\n".join(line[1:] if value_line.match(line) else line for line in text.splitlines())
    parsed = tomllib.loads(uncommented)
    cfg = resolve(search=False, base=parsed)
    assert dict(cfg.values) == defaults()


def test_init_template_example_rubric_uncomments_to_a_valid_rubric() -> None:
    from auditor.core.rubric import parse_rubric

    text = render_toml()
    lines = text.splitlines()
    start = lines.index("# rubric = [")
    end = lines.index("# ]", start)
    block = "[agreement]\n" + "\n".join(line[2:] for line in lines[start : end + 1])
    cfg = resolve(search=False, base=tomllib.loads(block))
    criteria = parse_rubric(cfg["agreement.rubric"])
    assert [c.name for c in criteria] == ["correct", "complete", "tone"]
    assert [c.level for c in criteria] == ["nominal", "nominal", "ordinal"]
