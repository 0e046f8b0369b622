"""The reference registry server that Stewardship Consoles sync with.

An optional extra (``pip install stewardship-console[registry]``): the desktop
console never imports this package. The protocol is in
``docs/registry-protocol.md``.
"""

from stewardship import __version__

API_VERSION = "v1"

__all__ = ["API_VERSION", "__version__"]
