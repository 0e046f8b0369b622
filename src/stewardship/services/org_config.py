"""Organisation defaults: a system-wide INI file an installer drops for every user.

IT sets the registry URL, its CA bundle and the notice policy once per machine;
a steward's own settings (kept in the data folder) override them. The file is
read with :mod:`configparser` and never stops the console from starting: a
malformed file produces warnings that name the file and line, and the
built-in defaults are used instead.

Where the file lives (``STEWARDSHIP_ORG_CONFIG`` overrides it, e.g. for tests):

- Linux: ``organisation.conf`` in ``stewardship-console/`` under the first of
  ``$XDG_CONFIG_DIRS`` that has one (default ``/etc/xdg``)
- Windows: ``%ProgramData%\\Stewardship Console\\organisation.conf``
- macOS: ``/Library/Application Support/Stewardship Console/organisation.conf``

Format::

    [registry]
    url = https://registry.example.org
    ca_bundle = /etc/ssl/certs/example-ca.pem

    [notice]
    default_days = 60

    [notice.providers]
    Example Cloud = 90

    [weights]
    verify_every_days = 365
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import urlparse

from ..domain.policy import DEFAULT_NOTICE_DAYS, DEFAULT_VERIFY_EVERY_DAYS, NoticePolicy

if TYPE_CHECKING:  # read only when an organisation file exists (start-up budget)
    import configparser

ENV_ORG_CONFIG = "STEWARDSHIP_ORG_CONFIG"
FILE_NAME = "organisation.conf"
XDG_DIR_NAME = "stewardship-console"
PRODUCT_DIR_NAME = "Stewardship Console"
MAX_NOTICE_DAYS = 3650

#: The sections and keys the file may hold; ``notice.providers`` takes any provider name.
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "registry": ("url", "ca_bundle"),
    "notice": ("default_days",),
    "notice.providers": (),
    "weights": ("verify_every_days",),
}

#: Where a steward's own overrides live in the store's settings table.
USER_SETTING_KEYS: dict[str, str] = {
    "registry_url": "registry.url",
    "ca_bundle": "registry.ca_bundle",
    "notice_default_days": "notice.default_days",
    "notice_per_provider": "notice.per_provider",  # a JSON object {provider: days}
}

SOURCE_USER = "your settings"
SOURCE_ORG = "organisation"
SOURCE_DEFAULT = "built-in default"

T = TypeVar("T")


@dataclass(frozen=True)
class ConfigWarning:
    """One problem in the organisation file (or a user setting), for a human to fix."""

    path: Path | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "your settings"
        if self.line is not None:
            where += f" line {self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class OrgConfig:
    """What the organisation file says; ``None`` where it says nothing (or nothing usable)."""

    path: Path
    found: bool = False
    registry_url: str | None = None
    ca_bundle: str | None = None
    notice_default_days: int | None = None
    notice_per_provider: dict[str, int] = field(default_factory=dict)
    warnings: tuple[ConfigWarning, ...] = ()
    #: days between verifications of each archive copy of a model's weights
    verify_every_days: int | None = None


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A value in effect and where it came from (shown in Settings and About)."""

    value: T
    source: str


@dataclass(frozen=True)
class EffectiveSettings:
    """The settings in force: the user's, else the organisation's, else built-in."""

    registry_url: Setting[str | None]
    ca_bundle: Setting[str | None]
    notice_default_days: Setting[int]
    notice_per_provider: dict[str, Setting[int]]
    org: OrgConfig
    warnings: tuple[ConfigWarning, ...] = ()
    #: days between verifications of an archive copy (organisation, else 365)
    verify_every_days: Setting[int] = Setting(DEFAULT_VERIFY_EVERY_DAYS, SOURCE_DEFAULT)

    def notice_policy(self) -> NoticePolicy:
        return NoticePolicy(
            default_days=self.notice_default_days.value,
            per_provider={name: s.value for name, s in self.notice_per_provider.items()},
        )


def org_config_path() -> Path:
    """Where this machine's organisation file is (whether or not it exists)."""
    explicit = os.environ.get(ENV_ORG_CONFIG)
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(base) / PRODUCT_DIR_NAME / FILE_NAME
    if sys.platform == "darwin":
        return Path("/Library/Application Support") / PRODUCT_DIR_NAME / FILE_NAME
    dirs = [d for d in os.environ.get("XDG_CONFIG_DIRS", "").split(os.pathsep) if d]
    candidates = [Path(d) / XDG_DIR_NAME / FILE_NAME for d in dirs or ["/etc/xdg"]]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return candidates[0]


def load_org_config(path: Path | None = None) -> OrgConfig:
    """Read the organisation file; never raises. Problems come back as ``warnings``."""
    path = path if path is not None else org_config_path()
    if not path.exists():
        return OrgConfig(path=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return _unusable(path, None, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        return _unusable(path, None, f"cannot be read: {exc.strerror or exc}")

    import configparser

    parser = _parser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.MissingSectionHeaderError as exc:
        return _unusable(
            path, exc.lineno, f"a setting before any [section] header: {exc.line.strip()!r}"
        )
    except configparser.DuplicateSectionError as exc:
        return _unusable(path, exc.lineno, f"section [{exc.section}] appears twice")
    except configparser.DuplicateOptionError as exc:
        return _unusable(path, exc.lineno, f"{exc.option!r} is set twice in [{exc.section}]")
    except configparser.ParsingError as exc:
        lineno = exc.errors[0][0]
        line = text.splitlines()[lineno - 1] if 0 < lineno <= len(text.splitlines()) else ""
        return _unusable(path, lineno, f"cannot read {line.strip()!r} (expected 'name = value')")
    return _interpret(path, parser, text.splitlines())


def _parser() -> configparser.ConfigParser:
    import configparser

    parser = configparser.ConfigParser(
        interpolation=None,
        delimiters=("=",),
        strict=True,
        empty_lines_in_values=False,
        inline_comment_prefixes=("#", ";"),
        default_section="\0no-defaults",
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep provider names as written
    return parser


def _unusable(path: Path, line: int | None, problem: str) -> OrgConfig:
    return OrgConfig(
        path=path,
        found=True,
        warnings=(ConfigWarning(path, line, f"{problem}; using built-in defaults instead"),),
    )


def _interpret(path: Path, parser: configparser.ConfigParser, lines: list[str]) -> OrgConfig:
    warnings: list[ConfigWarning] = []

    def warn(section: str, key: str | None, message: str) -> None:
        warnings.append(ConfigWarning(path, _line_of(lines, section, key), message))

    for section in parser.sections():
        if section not in KNOWN_KEYS:
            warn(
                section,
                None,
                f"unknown section [{section}] ignored"
                f" (known: {', '.join(f'[{s}]' for s in KNOWN_KEYS)})",
            )
            continue
        known = KNOWN_KEYS[section]
        if not known:
            continue
        for key in parser[section]:
            if key not in known:
                warn(
                    section,
                    key,
                    f"unknown setting {key!r} in [{section}] ignored (known: {', '.join(known)})",
                )

    registry_url = _get(parser, "registry", "url")
    if registry_url is not None:
        problem = url_problem(registry_url)
        if problem:
            warn("registry", "url", f"registry url {registry_url!r} {problem}; ignored")
            registry_url = None

    ca_bundle = _get(parser, "registry", "ca_bundle")
    if ca_bundle is not None and not Path(ca_bundle).expanduser().is_file():
        warn(
            "registry",
            "ca_bundle",
            f"CA bundle {ca_bundle} does not exist on this machine"
            "; connections to the registry will fail until it does",
        )

    default_days: int | None = None
    raw_days = _get(parser, "notice", "default_days")
    if raw_days is not None:
        default_days, problem = parse_days(raw_days)
        if problem:
            warn(
                "notice",
                "default_days",
                f"default_days {problem}; using {DEFAULT_NOTICE_DAYS} days",
            )

    per_provider: dict[str, int] = {}
    if parser.has_section("notice.providers"):
        for provider, raw in parser["notice.providers"].items():
            days, problem = parse_days(raw)
            if problem or days is None:
                warn(
                    "notice.providers",
                    provider,
                    f"notice for provider {provider!r} {problem or 'is empty'}; ignored",
                )
            else:
                per_provider[provider] = days

    verify_days: int | None = None
    raw_verify = _get(parser, "weights", "verify_every_days")
    if raw_verify is not None:
        verify_days, problem = parse_days(raw_verify)
        if problem or verify_days == 0:
            warn(
                "weights",
                "verify_every_days",
                f"verify_every_days {problem or 'must be at least 1 day, not 0'};"
                f" using {DEFAULT_VERIFY_EVERY_DAYS} days",
            )
            verify_days = None

    return OrgConfig(
        path=path,
        found=True,
        verify_every_days=verify_days,
        registry_url=registry_url,
        ca_bundle=ca_bundle,
        notice_default_days=default_days,
        notice_per_provider=per_provider,
        warnings=tuple(warnings),
    )


def _get(parser: configparser.ConfigParser, section: str, key: str) -> str | None:
    if not parser.has_option(section, key):
        return None
    value = parser.get(section, key).strip()
    return value or None


def _line_of(lines: list[str], section: str, key: str | None) -> int | None:
    """The 1-based line of ``key`` in ``[section]`` (or of the header when key is None)."""
    current = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            if key is None and current == section:
                return number
            continue
        if current == section and key is not None and not line.startswith(("#", ";")):
            name = line.split("=", 1)[0].strip()
            if name == key:
                return number
    return None


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a registry address, or None if it can."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        return "must start with https:// (or http://)"
    if not parsed.hostname:
        return "has no host name"
    return None


def parse_days(raw: str) -> tuple[int | None, str | None]:
    """A whole number of days 0..3650, or a reason it is not one."""
    try:
        days = int(raw.strip())
    except ValueError:
        return None, f"must be a whole number of days, not {raw.strip()!r}"
    if not 0 <= days <= MAX_NOTICE_DAYS:
        return None, f"must be between 0 and {MAX_NOTICE_DAYS} days, not {days}"
    return days, None


def user_overrides_from_settings(get_setting: Callable[[str], str | None]) -> dict[str, object]:
    """Read the steward's overrides with ``get_setting(key)`` (e.g. ``Store.get_setting``)."""
    return {name: get_setting(key) for name, key in USER_SETTING_KEYS.items()}


def effective_settings(org: OrgConfig, user_overrides: Mapping[str, object]) -> EffectiveSettings:
    """Combine the steward's settings over the organisation's over the built-in defaults.

    ``user_overrides`` maps the names of :data:`USER_SETTING_KEYS` to a value or
    None/"" for "not set". ``notice_per_provider`` may be a dict or its JSON text;
    the user's provider entries override the organisation's one by one.
    Unusable user values are skipped with a warning.
    """
    warnings: list[ConfigWarning] = list(org.warnings)

    def fallback(org_value: T | None, default: T) -> Setting[T]:
        if org_value is not None:
            return Setting(org_value, SOURCE_ORG)
        return Setting(default, SOURCE_DEFAULT)

    def pick(name: str, org_value: T | None, default: T) -> Setting[T]:
        user = user_overrides.get(name)
        if user not in (None, ""):
            return Setting(user, SOURCE_USER)  # type: ignore[arg-type]
        return fallback(org_value, default)

    registry_url = pick("registry_url", org.registry_url, None)
    if registry_url.source == SOURCE_USER:
        problem = url_problem(str(registry_url.value))
        if problem:
            warnings.append(ConfigWarning(None, None, f"registry url {problem}; ignored"))
            registry_url = fallback(org.registry_url, None)
    ca_bundle = pick("ca_bundle", org.ca_bundle, None)

    days = pick("notice_default_days", org.notice_default_days, DEFAULT_NOTICE_DAYS)
    if days.source == SOURCE_USER:
        parsed, problem = parse_days(str(days.value))
        if problem or parsed is None:
            warnings.append(ConfigWarning(None, None, f"notice default_days {problem}; ignored"))
            days = fallback(org.notice_default_days, DEFAULT_NOTICE_DAYS)
        else:
            days = Setting(parsed, SOURCE_USER)

    per_provider = {name: Setting(d, SOURCE_ORG) for name, d in org.notice_per_provider.items()}
    for name, value in _user_providers(user_overrides.get("notice_per_provider"), warnings):
        for existing in [k for k in per_provider if k.strip().lower() == name.strip().lower()]:
            del per_provider[existing]
        per_provider[name] = Setting(value, SOURCE_USER)

    return EffectiveSettings(
        verify_every_days=fallback(org.verify_every_days, DEFAULT_VERIFY_EVERY_DAYS),
        registry_url=registry_url,
        ca_bundle=ca_bundle,
        notice_default_days=days,
        notice_per_provider=per_provider,
        org=org,
        warnings=tuple(warnings),
    )


def _user_providers(raw: object, warnings: list[ConfigWarning]) -> list[tuple[str, int]]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            warnings.append(
                ConfigWarning(None, None, "per-provider notice is not valid JSON; ignored")
            )
            return []
    if not isinstance(raw, Mapping):
        warnings.append(
            ConfigWarning(None, None, "per-provider notice must map provider to days; ignored")
        )
        return []
    result = []
    for name, value in raw.items():
        days, problem = parse_days(str(value))
        if problem or days is None:
            warnings.append(
                ConfigWarning(None, None, f"notice for provider {name!r} {problem}; ignored")
            )
        else:
            result.append((str(name), days))
    return result
