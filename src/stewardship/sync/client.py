"""HTTP client for the registry (docs/registry-protocol.md) on a ``requests.Session``.

- A timeout on every call.
- Safe calls (GET) are retried by urllib3 with backoff and jitter, honouring
  ``Retry-After`` on 429 and 503.
- The batch POST is retried by our own loop with the *same* Idempotency-Key
  and body, so a retried write is applied once.
- TLS is verified, with an organisation CA bundle if configured.
- The User-Agent carries the version.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from .. import __version__
from .errors import AuthRefused, CursorReset, RegistryProtocolError, RegistryUnreachable

USER_AGENT = f"stewardship-console/{__version__}"
CLOCK_SKEW_WARN_SECONDS = 300
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 30.0


@dataclass
class ClientConfig:
    base_url: str
    token: str = field(repr=False, default="")
    ca_bundle: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        if when is None:
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _problem_text(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or "")
    return ""


def _problem_type(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("type", "")) if isinstance(body, dict) else ""


class RegistryClient:
    def __init__(
        self,
        config: ClientConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.base = config.base_url.rstrip("/")
        self._sleep = sleep
        self.clock_skew_seconds: float | None = None
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        if config.token:
            self.session.headers["Authorization"] = f"Bearer {config.token}"
        self.session.verify = config.ca_bundle or True
        retry = Retry(
            total=config.retries,
            connect=config.retries,
            read=config.retries,
            status=config.retries,
            backoff_factor=config.backoff,
            backoff_jitter=config.backoff / 2,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.config.connect_timeout, self.config.read_timeout)

    def close(self) -> None:
        self.session.close()

    # -- plumbing --------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = self.base + path
        try:
            # verify is passed on every call: requests would otherwise let a
            # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE variable replace the CA bundle set here
            timeout = kwargs.pop("timeout", self.timeout)
            response = self.session.request(
                method, url, timeout=timeout, verify=self.session.verify, **kwargs
            )
        except requests.exceptions.SSLError as exc:
            raise RegistryUnreachable(
                f"the registry's TLS certificate could not be verified ({self.base});"
                " check the CA bundle in Settings"
            ) from exc
        except requests.exceptions.Timeout as exc:
            raise RegistryUnreachable(
                f"the registry at {self.base} did not answer in time"
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            reason = getattr(exc.args[0] if exc.args else None, "reason", None)
            if isinstance(reason, ReadTimeoutError):
                raise RegistryUnreachable(
                    f"the registry at {self.base} did not answer in time"
                ) from exc
            raise RegistryUnreachable(
                f"cannot reach the registry at {self.base}: offline, or the server is down"
            ) from exc
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise RegistryUnreachable(
                f"the registry's answer was cut off ({self.base}); nothing was changed, try again"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise RegistryUnreachable(
                f"the registry at {self.base} failed: {type(exc).__name__}"
            ) from exc
        self._note_clock(response)
        return response

    def _note_clock(self, response: requests.Response) -> None:
        date = response.headers.get("Date")
        if not date:
            return
        try:
            server = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return
        if server.tzinfo is None:
            server = server.replace(tzinfo=UTC)
        self.clock_skew_seconds = (datetime.now(UTC) - server).total_seconds()

    @property
    def clock_warning(self) -> str | None:
        skew = self.clock_skew_seconds
        if skew is None or abs(skew) <= CLOCK_SKEW_WARN_SECONDS:
            return None
        direction = "ahead of" if skew > 0 else "behind"
        return (
            f"this computer's clock is {abs(skew) / 60:.0f} minutes {direction} the registry's;"
            " sync does not depend on it, but timestamps you see may look odd"
        )

    def _check(self, response: requests.Response, what: str) -> Any:
        status = response.status_code
        if status in (401, 403):
            detail = _problem_text(response)
            if status == 401:
                message = "the registry refused the token; sign in again with a new token"
            else:
                message = (
                    "your token may read but not write to this registry (ask for the steward role)"
                )
            raise AuthRefused(message + (f" ({detail})" if detail else ""), status)
        if status in RETRY_STATUSES or status >= 500:
            raise RegistryUnreachable(
                f"the registry had a problem with {what} (HTTP {status}); your changes are kept"
                " and will be sent next time"
            )
        if status >= 400:
            detail = _problem_text(response)
            raise RegistryProtocolError(
                f"the registry refused {what} (HTTP {status}){': ' + detail if detail else ''}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise RegistryProtocolError(
                f"the registry's answer to {what} was not valid JSON (cut off or garbled);"
                " nothing was changed, try again"
            ) from exc

    # -- API -------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self._check(self._request("GET", "/v1/health"), "the health check")

    def changes(self, since: str | None, limit: int) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if since:
            params["since"] = since
        response = self._request("GET", "/v1/changes", params=params)
        if response.status_code == 409 and "cursor-reset" in _problem_type(response):
            raise CursorReset("the registry was replaced or restored from a backup")
        body = self._check(response, "the changes feed")
        if not isinstance(body, dict) or not isinstance(
            body.get("records", body.get("changes")), list
        ):
            raise RegistryProtocolError("the registry's changes feed had an unexpected shape")
        return body

    def get_record(self, record_type: str, record_id: str) -> dict[str, Any] | None:
        response = self._request("GET", f"/v1/records/{record_type}/{record_id}")
        if response.status_code == 404:
            return None
        return self._check(response, "a record request")

    def history(
        self, record_type: str, record_id: str, before: int | None = None, limit: int = 100
    ) -> dict[str, Any] | None:
        """One page of the registry's history of a record (newest first); None: never had it."""
        params: dict[str, Any] = {"limit": limit} | ({"before": before} if before else {})
        response = self._request(
            "GET", f"/v1/records/{record_type}/{record_id}/history", params=params
        )
        if response.status_code == 404:
            return None
        body = self._check(response, "a history request")
        if not isinstance(body, dict) or not isinstance(body.get("history"), list):
            raise RegistryProtocolError("the registry's history reply had an unexpected shape")
        return body

    def post_batch(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Send one batch; retried with the same key and body on failures that may be transient."""
        payload = json.dumps(body, sort_keys=True).encode()
        headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
        attempts = self.config.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                response = self._request("POST", "/v1/batch", data=payload, headers=headers)
            except RegistryUnreachable:
                if attempt == attempts:
                    raise
                self._sleep(self._backoff(attempt))
                continue
            if response.status_code in RETRY_STATUSES and attempt < attempts:
                wait = _retry_after(response)
                self._sleep(
                    min(wait, MAX_RETRY_AFTER) if wait is not None else self._backoff(attempt)
                )
                continue
            if response.status_code == 409 and attempt < attempts:  # same key still in flight
                self._sleep(self._backoff(attempt))
                continue
            return self._check(response, "the batch of changes")
        raise RegistryUnreachable("the registry kept failing")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        base = self.config.backoff * (2 ** (attempt - 1))
        return base + random.uniform(0, base / 2)
