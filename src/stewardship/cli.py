"""The ``stewardship`` command: opens the console, or runs a headless verb.

The contract is DESIGN section 5; scripts depend on it, so keep it exactly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from types import ModuleType

from .buildinfo import version_text
from .commands import export_cmd, import_cmd, login_cmd, registry_cmd, report, sync_cmd
from .commands.common import EXIT_OK, EXIT_USAGE, CommandError, data_dir_of, fail, open_context
from .services.paths import store_path

VIEW_NAMES = ["dashboard", "models", "checklists", "requests", "reports", "conflicts", "settings"]

#: Headless verbs, each a module of :mod:`stewardship.commands`.
COMMANDS: list[ModuleType] = [
    import_cmd, export_cmd, report, registry_cmd, login_cmd, sync_cmd,
]


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage in one line and exits with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="data folder (default: $STEWARDSHIP_DATA_DIR or the platform's user data folder)",
    )
    parser = _Parser(
        prog="stewardship",
        description="Stewardship Console: retirements, checklists, requests and reports.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument("--demo", action="store_true",
                        help="load the fictional demo organisation if the data folder has no store")
    parser.add_argument("--screenshot", metavar="PNG", type=Path,
                        help="render a view offscreen at 1280x800 to PNG and exit")
    parser.add_argument("--view", choices=VIEW_NAMES, default="dashboard",
                        help="the view to open or render (default: dashboard)")
    if COMMANDS:
        verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
        for command in COMMANDS:
            sub = verbs.add_parser(command.NAME, help=command.HELP, parents=[common])
            command.configure(sub)
            sub.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "run", None):
            return int(args.run(args))
        return _open_console(args)
    except CommandError as exc:
        return fail(str(exc), exc.code)


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _open_console(args: argparse.Namespace) -> int:
    screenshot: Path | None = args.screenshot
    headless = screenshot is None and not _has_display()
    if screenshot is not None or headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    data_dir = data_dir_of(args)
    fresh = not store_path(data_dir).exists()
    ctx = open_context(args)
    try:
        if args.demo and fresh:
            from .services.demo import load_demo

            load_demo(ctx.store, ctx.today())

        from .ui.application import make_application, render_screenshot, run_window

        if headless:
            target = ctx.data_dir / "dashboard.png"
            print(f"No display found; wrote a picture of the {args.view} to {target} instead.")
            screenshot = target
        if screenshot is not None:
            from .ui.main_window import MainWindow

            make_application()
            window = MainWindow(ctx)
            try:
                render_screenshot(window, args.view, screenshot)
            except OSError as exc:
                raise CommandError(str(exc)) from exc
            finally:
                window.close()
            return EXIT_OK
        return run_window(ctx, args.view)
    finally:
        ctx.close()


if __name__ == "__main__":
    raise SystemExit(main())
