"""Composition root: builds the store, the services and the window."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .domain.dates import parse_date, system_today
from .domain.policy import NoticePolicy
from .services.identity import steward_name
from .services.org_config import (
    ConfigWarning,
    EffectiveSettings,
    OrgConfig,
    effective_settings,
    load_org_config,
    user_overrides_from_settings,
)
from .services.paths import prepare_data_dir, store_path
from .store import Store

ENV_TODAY = "STEWARDSHIP_TODAY"


def today_from_env() -> Callable[[], date]:
    """``STEWARDSHIP_TODAY=YYYY-MM-DD`` pins "today" (reproducible screenshots, demos)."""
    pinned = parse_date(os.environ.get(ENV_TODAY), ENV_TODAY)
    if pinned is None:
        return system_today
    return lambda: pinned


@dataclass
class AppContext:
    """Everything the services and the window share, built once at start-up."""

    data_dir: Path
    store: Store
    who: str
    today: Callable[[], date] = system_today
    policy: NoticePolicy = field(default_factory=NoticePolicy)
    settings: EffectiveSettings | None = None

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        today: Callable[[], date] | None = None,
        org: OrgConfig | None = None,
    ) -> AppContext:
        """Open the data folder; organisation defaults from ``org`` or the system-wide file."""
        prepare_data_dir(data_dir)
        store = Store(store_path(data_dir))
        settings = effective_settings(
            org if org is not None else load_org_config(),
            user_overrides_from_settings(store.get_setting),
        )
        return cls(
            data_dir=data_dir,
            store=store,
            who=steward_name(store),
            today=today or today_from_env(),
            policy=settings.notice_policy(),
            settings=settings,
        )

    @property
    def config_warnings(self) -> tuple[ConfigWarning, ...]:
        """Problems in the organisation file or the steward's settings (already worked around)."""
        return self.settings.warnings if self.settings else ()

    def close(self) -> None:
        self.store.close()
