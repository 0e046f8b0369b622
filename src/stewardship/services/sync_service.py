"""Use cases around the registry: configure it, test it, run one sync cycle."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from ..domain.errors import Problem, ValidationError
from ..domain.tasks import CancelCheck, Cancelled, Progress, never_cancelled, no_progress
from ..domain.wire import REQUIRED_PROTOCOL_REVISION
from ..store import Store
from ..store.sync_state import SyncState
from ..sync.credentials import load_token
from ..sync.errors import AuthRefused as AuthRefused  # re-exported: the window imports no sync
from ..sync.errors import NotConfigured
from ..sync.errors import SyncError as SyncError
from .logs import remember_secret
from .org_config import OrgConfig, effective_settings, load_org_config, user_overrides_from_settings

if TYPE_CHECKING:
    from ..sync.client import RegistryClient
    from ..sync.engine import SyncSummary

URL_KEY = "registry.url"
CA_KEY = "registry.ca_bundle"
INSECURE_KEY = "registry.insecure"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegistrySettings:
    url: str = ""
    ca_bundle: str = ""
    #: The steward allowed plain http:// to a host that is not this computer (a test lab).
    insecure: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.url)

    @property
    def in_clear_text(self) -> bool:
        """The token would travel unencrypted to another computer."""
        return bool(self.url) and not is_protected(self.url)

    @property
    def clear_text_warning(self) -> str:
        return (
            f"the token travels in clear text to {self.url} (plain http:// allowed with"
            " --insecure); use https:// outside a test lab"
        )


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_protected(url: str) -> bool:
    """https://, or http:// to this computer only: a token sent there is not readable on a wire."""
    parsed = urlparse(url)
    return parsed.scheme == "https" or (
        parsed.scheme == "http" and is_loopback_host(parsed.hostname or "")
    )


def _clear_text_problem(url: str) -> Problem:
    host = urlparse(url).hostname or url
    return Problem(
        "url",
        f"plain http:// would send the token in clear text to {host}; use https://"
        " (or, in a test lab only, --insecure)",
    )


@dataclass(frozen=True)
class SyncStatus:
    configured: bool
    waiting: int
    conflicts: int
    last_success_at: str | None


def validate_registry(
    url: str, ca_bundle: str = "", *, allow_empty: bool = False, insecure: bool = False
) -> RegistrySettings:
    """Check a registry URL and CA bundle; with ``allow_empty``, "" means "the organisation's".

    Plain ``http://`` is refused for any host that is not this computer, unless
    ``insecure`` (a test lab; the window and every sync then warn).
    """
    url = url.strip()
    parsed = urlparse(url)
    problems = []
    if url == "" and allow_empty:
        pass
    elif parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append(
            Problem("url", f"'{url}' is not an http(s) URL, e.g. https://registry.example.org")
        )
    elif not insecure and not is_protected(url):
        problems.append(_clear_text_problem(url))
    if ca_bundle and not Path(ca_bundle).is_file():
        problems.append(Problem("ca_bundle", f"no such file: {ca_bundle}"))
    if problems:
        raise ValidationError(problems)
    return RegistrySettings(
        url.rstrip("/"),
        str(Path(ca_bundle).resolve()) if ca_bundle else "",
        insecure=insecure and not is_protected(url),
    )


def registry_settings(store: Store, org: OrgConfig | None = None) -> RegistrySettings:
    """The registry in force: this data folder's own, else the organisation's default."""
    effective = effective_settings(
        org if org is not None else load_org_config(),
        user_overrides_from_settings(store.get_setting),
    )
    url = effective.registry_url.value or ""
    own = store.get_setting(URL_KEY) or ""
    insecure = store.get_setting(INSECURE_KEY) == "1" and url == own
    return RegistrySettings(url, effective.ca_bundle.value or "", insecure=insecure)


def own_registry_settings(store: Store) -> RegistrySettings:
    """What the steward set for this data folder (empty where the organisation's applies)."""
    return RegistrySettings(
        store.get_setting(URL_KEY) or "",
        store.get_setting(CA_KEY) or "",
        insecure=store.get_setting(INSECURE_KEY) == "1",
    )


def save_registry(store: Store, settings: RegistrySettings) -> None:
    with store.transaction():
        store.set_setting(URL_KEY, settings.url)
        store.set_setting(CA_KEY, settings.ca_bundle)
        store.set_setting(INSECURE_KEY, "1" if settings.insecure else "")


def sync_status(store: Store) -> SyncStatus:
    state = SyncState(store)
    return SyncStatus(
        configured=registry_settings(store).configured,
        waiting=state.waiting_count(),
        conflicts=state.conflict_count(),
        last_success_at=state.last_success_at(),
    )


def make_client(settings: RegistrySettings, token: str | None, **options: Any) -> RegistryClient:
    if not settings.configured:
        raise NotConfigured(
            "no registry is set up for this data folder (Settings, or"
            " 'stewardship registry set URL')"
        )
    if not token:
        raise NotConfigured("no token for the registry: sign in (Settings, or 'stewardship login')")
    if settings.in_clear_text and not settings.insecure:
        raise NotConfigured(
            f"refusing to send the token in clear text to {settings.url}: use https://"
            " ('stewardship registry set URL', or --insecure in a test lab only)"
        )
    remember_secret(token)  # whatever the client or its errors say, the log never holds it
    from ..sync.client import ClientConfig, RegistryClient  # requests: imported when first needed

    return RegistryClient(ClientConfig(settings.url, token, settings.ca_bundle or None, **options))


def run_sync(
    store_file: Path,
    *,
    token: str | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
    client_options: dict[str, float] | None = None,
) -> SyncSummary:
    """One sync cycle on its own connection to the store (safe from a worker thread)."""
    from ..sync.engine import SyncEngine  # imported when first needed: start-up stays quick

    store = Store(store_file)
    try:
        settings = registry_settings(store)
        with _logged_failure(f"sync with {settings.url or 'no registry'}"):
            client = make_client(
                settings, token or load_token(settings.url), **(client_options or {})
            )
            try:
                summary = SyncEngine(store, client, progress=progress, cancelled=cancelled).run()
                warning = server_warning(client)
            finally:
                client.close()
        if warning:
            summary.warnings.append(warning)
        if settings.insecure:
            summary.warnings.append(settings.clear_text_warning)
        log.info("sync with %s: %s", settings.url, summary.line())
        return summary
    finally:
        store.close()


def server_warning(client: RegistryClient) -> str | None:
    """A warning when the registry is older than this console needs, from ``/v1/health``.

    Asked after a sync (a failure here never fails the sync): a registry below
    :data:`REQUIRED_PROTOCOL_REVISION` refuses, or drops, fields of newer consoles.
    """
    try:
        health = client.health()
    except SyncError:
        return None
    if not isinstance(health, dict):
        return None
    revision = health.get("protocol")
    revision = revision if isinstance(revision, int) and not isinstance(revision, bool) else 1
    if revision >= REQUIRED_PROTOCOL_REVISION:
        return None
    server = health.get("server_version") or "unknown"
    return (
        f"the registry (server {server}, protocol revision {revision}) is older than this"
        f" console needs (revision {REQUIRED_PROTOCOL_REVISION}): fields added by newer consoles"
        " may be refused; ask its administrator to upgrade it"
    )


@contextmanager
def _logged_failure(what: str) -> Iterator[None]:
    """Log a failure of ``what`` with its traceback; the caller still gets the exception.

    The steward sees the exception's one-line message; the log keeps the details.
    """
    try:
        yield
    except Cancelled as exc:
        log.info("%s: %s", what, exc)
        raise
    except SyncError as exc:
        log.warning("%s failed: %s", what, exc, exc_info=True)
        raise
    except Exception as exc:
        log.error("%s failed unexpectedly: %s: %s", what, type(exc).__name__, exc, exc_info=True)
        raise


def test_connection(settings: RegistrySettings, token: str | None) -> str:
    """Reach the registry and say so in one line; raises a SyncError otherwise."""
    with _logged_failure(f"connection test with {settings.url or 'no registry'}"):
        client = make_client(settings, token)
        try:
            client.health()
            client.changes(None, 1)  # proves the token is accepted
            text = f"Connected to {settings.url}; the token is accepted."
            for warning in (
                client.clock_warning,
                server_warning(client),
                settings.clear_text_warning if settings.insecure else None,
            ):
                if warning:
                    text += f" Warning: {warning}."
            return text
        finally:
            client.close()
