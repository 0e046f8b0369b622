"""The ``stewardship`` command: opens the console, or runs a headless verb.

The contract is the README's "Using it" and "Import and export"; scripts depend on it, so keep it exactly.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

from . import startup_gc
from .buildinfo import version_text
from .commands.common import EXIT_OK, EXIT_USAGE, CommandError, data_dir_of, fail, open_context
from .services.logs import configure_logging, hold_records, log_startup, write_held_records
from .services.paths import store_path

log = logging.getLogger(__name__)
VIEW_NAMES = ["dashboard", "models", "checklists", "requests", "reports", "conflicts", "settings"]

#: Headless verbs: name -> (module of :mod:`stewardship.commands`, help). A module
#: is imported only when its verb runs, so opening the console stays quick.
COMMANDS: dict[str, tuple[str, str]] = {
    "import": (
        "import_cmd",
        "import model schedules (CSV) or a JSON export; a bad file is refused whole",
    ),
    "export": (
        "export_cmd",
        "export everything (json), a table (csv) or retirement and due dates (ics)",
    ),
    "report": ("report", "write a model's post-deployment report as Markdown, HTML or PDF"),
    "registry": ("registry_cmd", "set the registry this data folder syncs with"),
    "login": ("login_cmd", "read a registry token from stdin into the keyring"),
    "sync": ("sync_cmd", "run one sync cycle with the registry (records and files)"),
    "interview": (
        "interview_cmd",
        "record an interview with a model (its transcript, its answers to a protocol)",
    ),
    "transcript": ("transcript_cmd", "write a transcript to a file, from here or the registry"),
    "blobs": ("blobs_cmd", "files waiting to upload, to download, and missing everywhere"),
    "conflicts": ("conflicts_cmd", "list sync conflicts, or resolve one without the window"),
    "protocol": ("protocol_cmd", "interview protocols: list, show the script, compare answers"),
    "weights": (
        "weights_cmd",
        "archive copies of a model's weights: add one, verify them, their status",
    ),
}


def _folder_name(text: str) -> str:
    """``--data-dir ""`` would silently mean the real store: refused instead."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "is empty; name a folder, or leave --data-dir out to use the default"
        )
    return text


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage in one line and exits with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


#: --screenshot's window size unless --size says otherwise
SCREENSHOT_SIZE = (1280, 800)
#: the smallest window the console lays out (MainWindow's minimum size)
SMALLEST_SIZE = (960, 600)


def _window_size(text: str) -> tuple[int, int]:
    """``WxH`` (e.g. ``1366x768``) as two integers, at least the window's minimum size."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.strip().isdigit() or not height.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 1366x768")
    size = (int(width), int(height))
    if size[0] < SMALLEST_SIZE[0] or size[1] < SMALLEST_SIZE[1] or max(size) > 10_000:
        raise argparse.ArgumentTypeError(
            f"'{text}': the window is at least {SMALLEST_SIZE[0]}x{SMALLEST_SIZE[1]}"
            " and at most 10000 pixels a side"
        )
    return size


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the verbs named in ``argv`` (all of them if None) are set up fully."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        type=_folder_name,
        default=argparse.SUPPRESS,
        help="data folder (default: $STEWARDSHIP_DATA_DIR or the platform's user data folder)",
    )
    parser = _Parser(
        prog="stewardship",
        description="Stewardship Console: retirements, checklists, requests and reports.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument(
        "--demo",
        action="store_true",
        help="load the fictional demo organisation if the data folder has no store",
    )
    parser.add_argument(
        "--screenshot",
        metavar="PNG",
        type=Path,
        help="render a view offscreen to PNG and exit; writes nothing else",
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        type=_window_size,
        default=SCREENSHOT_SIZE,
        help="the window size of --screenshot (default: 1280x800)",
    )
    parser.add_argument(
        "--view",
        choices=VIEW_NAMES,
        default="dashboard",
        help="the view to open or render (default: dashboard)",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    named = set(COMMANDS) if argv is None else set(COMMANDS) & set(argv)
    for name, (module_name, help_text) in COMMANDS.items():
        sub = verbs.add_parser(name, help=help_text, parents=[common])
        if name in named:
            module = importlib.import_module(f".commands.{module_name}", __package__)
            module.configure(sub)
            sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    if args.verb or args.screenshot is not None:
        configure_logging()
    else:  # the window opens the log file just after its first paint (services/logs.py)
        hold_records()
        startup_gc.pause()  # until the first frame (ui/application.py resumes it)
    log_startup(_what_runs(args), data_dir_of(args))
    try:
        if getattr(args, "run", None):
            return int(args.run(args))
        return _open_console(args)
    except CommandError as exc:
        log.warning("%s refused: %s", _what_runs(args), exc)
        return fail(str(exc), exc.code)
    except Exception:
        log.critical("the console stopped on an unexpected error", exc_info=True)
        raise
    finally:
        write_held_records()
        startup_gc.resume()


def _what_runs(args: argparse.Namespace) -> str:
    if args.verb:
        return f"'stewardship {args.verb}'"
    return "a screenshot" if args.screenshot is not None else "the window"


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
    try:
        ctx = open_context(args)
    except CommandError as exc:
        if screenshot is None and not headless:  # the window, perhaps from a desktop menu
            from .ui.startup_error import show_startup_error

            show_startup_error(str(exc))
        raise
    try:
        if args.demo and fresh:
            from .services.demo import load_demo

            load_demo(ctx.store, ctx.today())
        if screenshot is not None or headless:
            ctx.store.make_read_only()  # a picture of the store never changes it

        from .ui.application import make_application, render_screenshot, run_window

        if headless:
            target = ctx.data_dir / "dashboard.png"
            print(f"No display found; wrote a picture of the {args.view} to {target} instead.")
            screenshot = target
        if screenshot is not None:
            from .ui.main_window import MainWindow

            make_application()
            window = MainWindow(ctx, remember_geometry=False)
            try:
                render_screenshot(window, args.view, screenshot, args.size)
            except OSError as exc:
                raise CommandError(str(exc)) from exc
            finally:
                window.close()
                window.deleteLater()
            return EXIT_OK
        return run_window(ctx, args.view)
    finally:
        ctx.close()


if __name__ == "__main__":
    raise SystemExit(main())
