"""Interview protocols on disk: the packaged ones and the organisation's own.

The packaged protocols are in ``resources/interview_protocols/``. An
organisation adds its own ``*.toml`` files in the folder
``interview_protocols/`` beside its organisation defaults file
(``/etc/xdg/stewardship-console/interview_protocols/`` on Linux; beside
``STEWARDSHIP_ORG_CONFIG`` when that is set). A broken file is reported with
its file and line and left out; the others load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from ..domain.protocols import InterviewProtocol, ProtocolError, parse_protocol, parse_ref
from .org_config import org_config_path

PROTOCOL_DIR = "interview_protocols"


def org_protocols_dir() -> Path:
    """Where this machine's organisation keeps its own protocols (whether or not it exists)."""
    return org_config_path().parent / PROTOCOL_DIR


@dataclass
class ProtocolLibrary:
    """Every usable protocol at every version, and the files that could not be used."""

    protocols: list[InterviewProtocol] = field(default_factory=list)
    errors: list[ProtocolError] = field(default_factory=list)

    def ids(self) -> list[str]:
        return sorted({p.id for p in self.protocols})

    def versions(self, protocol_id: str) -> list[InterviewProtocol]:
        return sorted((p for p in self.protocols if p.id == protocol_id), key=lambda p: p.version)

    def latest(self) -> list[InterviewProtocol]:
        """The newest version of each protocol, by id."""
        return [self.versions(pid)[-1] for pid in self.ids()]

    def get(self, protocol_id: str, version: int | None = None) -> InterviewProtocol | None:
        found = self.versions(protocol_id)
        if version is None:
            return found[-1] if found else None
        return next((p for p in found if p.version == version), None)

    def resolve(self, ref: str) -> InterviewProtocol:
        """``ID`` (newest version) or ``ID@VERSION``; ValueError naming what exists."""
        pid, version = parse_ref(ref)
        found = self.get(pid, version)
        if found is not None:
            return found
        if self.versions(pid):
            have = ", ".join(str(p.version) for p in self.versions(pid))
            raise ValueError(f"protocol '{pid}' has no version {version} (versions: {have})")
        known = ", ".join(self.ids()) or "none"
        raise ValueError(f"no interview protocol '{pid}' (protocols: {known})")

    def for_interview(self, reference: str) -> InterviewProtocol | None:
        """The protocol an interview's ``protocol_version`` names as ``ID@VERSION``, if known."""
        try:
            pid, version = parse_ref(reference)
        except ValueError:
            return None
        return self.get(pid, version) if version is not None else None


def _read_folder(folder: Traversable | Path, library: ProtocolLibrary) -> None:
    try:
        entries = sorted(folder.iterdir(), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        library.errors.append(ProtocolError(str(folder), None, f"cannot be read: {exc}"))
        return
    for entry in entries:
        if not entry.name.endswith(".toml"):
            continue
        name = str(entry) if isinstance(entry, Path) else entry.name
        try:
            text = entry.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            library.errors.append(ProtocolError(name, None, f"cannot be read: {exc}"))
            continue
        try:
            protocol = parse_protocol(text, name)
        except ProtocolError as exc:
            library.errors.append(exc)
            continue
        twin = library.get(protocol.id, protocol.version)
        if twin is not None:
            library.errors.append(
                ProtocolError(
                    name,
                    None,
                    f"protocol '{protocol.ref}' is already defined by {twin.source}; ignored",
                )
            )
            continue
        library.protocols.append(protocol)


def load_protocols(*folders: Traversable | Path) -> ProtocolLibrary:
    """The protocols in ``folders``; with none given, the packaged ones and the organisation's."""
    library = ProtocolLibrary()
    chosen = folders or (
        resources.files("stewardship.resources") / PROTOCOL_DIR,
        org_protocols_dir(),
    )
    for folder in chosen:
        _read_folder(folder, library)
    return library
