"""The Settings page until the full Settings view lands: the organisation defaults in force."""

from __future__ import annotations

from ..app import AppContext
from .org_defaults import OrgDefaultsPanel
from .placeholder_view import ComingView

WHAT = ("Your own registry, CA bundle and token for this data folder, overriding the"
        " organisation defaults below.")


class SettingsPreview(ComingView):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__("Settings", WHAT)
        self.org_panel = OrgDefaultsPanel(ctx)
        layout = self.layout()
        layout.insertWidget(layout.count() - 1, self.org_panel)  # above the final stretch
