"""Resolve the configuration: defaults, then a config file, then overrides.

Files: ``auditor.toml`` or ``[tool.auditor]`` in ``pyproject.toml``, searched
from the current directory upward, or an explicit ``--config FILE``. TOML is
parsed with the standard library (no code execution). Unknown keys are errors
that name the key, so a typo never silently leaves a default in force.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.core.defaults import OPTION_BY_KEY, OPTIONS, Option
from auditor.runtime.errors import ConfigError, shown


@dataclass(frozen=True)
class Config:
    """The resolved configuration: every key, flat and dotted."""

    values: Mapping[str, Any]
    source: str | None = None  # the file it came from, if any
    # Where each key not at its default was set (the file, "options", "config"): for messages.
    origins: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _sections: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise KeyError(f"no configuration key {key!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def section(self, name: str) -> dict[str, Any]:
        """The options of one section, without the section prefix."""
        if name not in self._sections:
            prefix = name + "."
            self._sections[name] = {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}
        return self._sections[name]

    def to_dict(self) -> dict[str, Any]:
        """Nested form, as written in a config file (and in the JSON report)."""
        out: dict[str, Any] = {}
        for key, value in sorted(self.values.items()):
            *parents, leaf = key.split(".")
            node = out
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = value
        return out


def defaults() -> dict[str, Any]:
    return {o.key: _copy(o.default) for o in OPTIONS}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"count": {"min_per_category": 5}}`` -> ``{"count.min_per_category": 5}``.

    A table whose dotted key is itself an option (``severity``) is a value, not a section.
    """
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and dotted not in OPTION_BY_KEY:
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def validate(key: str, value: Any, origin: str) -> Any:
    option = OPTION_BY_KEY.get(key)
    if option is None:
        hint = difflib.get_close_matches(key, OPTION_BY_KEY, n=1)
        more = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigError(f"unknown configuration key {key!r} in {origin}{more}")
    return _coerce(option, value, origin)


def _coerce(option: Option, value: Any, origin: str) -> Any:
    kind = option.kind or type(option.default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if option.default is None and value is None:
        return value
    ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
    if not ok:
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise ConfigError(f"{option.key} in {origin} must be {names}, got {value!r}")
    if isinstance(value, dict | list):
        return _coerce_items(option, value, origin)
    if option.choices and value not in option.choices:
        raise ConfigError(f"{option.key} in {origin} must be one of {', '.join(map(str, option.choices))}, got {value!r}")
    if option.minimum is not None and value < option.minimum:
        raise ConfigError(f"{option.key} in {origin} must be at least {option.minimum}, got {value!r}")
    if option.maximum is not None and value > option.maximum:
        raise ConfigError(f"{option.key} in {origin} must be at most {option.maximum}, got {value!r}")
    return value


def _coerce_items(option: Option, value: dict[str, Any] | list[Any], origin: str) -> Any:
    """A table's values (severity) or a list's items: each of the option's item type and choices.

    Checked when the config is read: a bad item found by a check after the
    whole audit (``"fatal"`` as a severity, a number among phrases) cost the
    run and ended as an internal error.
    """
    named = value.items() if isinstance(value, dict) else ((f"[{i}]", v) for i, v in enumerate(value))
    for name, item in named:
        where = f"{option.key}.{name}" if isinstance(value, dict) else f"{option.key}{name}"
        if option.items is not None and not isinstance(item, option.items):
            raise ConfigError(f"{where} in {origin} must be {option.items.__name__}, got {item!r}")
        if option.choices and item not in option.choices:
            raise ConfigError(f"{where} in {origin} must be one of {', '.join(map(str, option.choices))}, got {item!r}")
    return value


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest auditor.toml, or pyproject.toml with a [tool.auditor] table."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "auditor.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_auditor(pyproject):
            return pyproject
    return None


def _has_tool_auditor(path: Path) -> bool:
    try:
        return "auditor" in _read_toml(path).get("tool", {})
    except ConfigError:
        return False


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {shown(path)}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {shown(path)} is not valid TOML: {exc}") from None


def read_config_file(path: Path) -> dict[str, Any]:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("auditor", {})
    return data


def resolve(
    config_file: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    search: bool = True,
    base: Mapping[str, Any] | Config | None = None,
) -> Config:
    """Defaults, then the config file (explicit or found), then overrides.

    ``overrides`` may be flat dotted keys or nested tables; ``None`` values are
    ignored so that unset CLI flags do not clobber the file. Every value is
    checked against its option here; what only the checks know (the codes in
    ``severity``, a check's own options) is checked by
    ``auditor.core.registry.checked``, which the CLI and the API call next.
    A resolved ``Config`` as ``base`` keeps where each of its keys was set: a
    default that another option replaces when left alone (quality.max_tokens
    by quality.model_family) must still read as left alone.
    """
    values = defaults()
    origins: dict[str, str] = {}
    base_origins: Mapping[str, str] = {}
    if isinstance(base, Config):
        base_origins = base.origins
        base = {k: v for k, v in base.values.items() if k in base_origins}
    source: str | None = None
    path = Path(config_file) if config_file is not None else (find_config_file() if search else None)
    if path is not None:
        source = str(path)
        for key, value in flatten(read_config_file(path)).items():
            values[key] = validate(key, value, shown(path))
            origins[key] = shown(path)
    for layer, origin in ((base, "config"), (overrides, "options")):
        for key, value in flatten(layer or {}).items():
            if value is not None:
                where = base_origins.get(key, origin) if layer is base else origin
                values[key] = validate(key, value, where)
                origins[key] = where
    return Config(values=values, source=source, origins=origins)


def render_toml() -> str:
    """A commented auditor.toml with every option at its default (``auditor init``)."""
    lines = [
        "# auditor configuration: every option at its default, with the reason for it.",
        "# Uncomment (delete the '#') and change what your team's policy needs; unknown keys are errors.",
        "",
    ]
    by_section: dict[str, list[Option]] = {}
    for option in OPTIONS:
        by_section.setdefault(option.section, []).append(option)
    for section, options in by_section.items():
        if section:
            lines += ["", f"[{section}]"]
        for option in options:
            for chunk in _wrap(option.reason):
                lines.append(f"# {chunk}")
            if option.choices:
                lines.append("# one of: " + ", ".join(repr(c) for c in option.choices))
            # No space after '#': uncommenting is deleting one character, and a
            # value line can never be confused with a wrapped reason line.
            lines.append(f"#{option.name} = {_toml_value(option.default)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _wrap(text: str, width: int = 86) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)
