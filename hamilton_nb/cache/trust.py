"""Whose cache entries are trusted: this user's secret, and the MACs made with it.

The disk cache lives beside the notebook, so it travels with a cloned repository or a copied
folder, and anyone who can write there can put an entry in it. Loading a pickle runs code, so
nothing read from the cache folder is loaded unless it carries an HMAC-SHA256 made with this
user's secret: 32 random bytes in the user's Jupyter data directory (where Jupyter keeps the key
it signs notebooks with; ``JUPYTER_DATA_DIR`` moves it), readable by the user alone. An entry
written by someone else, or by the same user under another secret, fails the check and is
computed again; the same user's cache survives restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from pathlib import Path

SECRET_FILE = "hamilton_nb_secret"
MAC_SIZE = 32
_SECRET_SIZE = 32


def secret_path() -> Path:
    """Where this user's secret is kept: in the Jupyter data directory."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / SECRET_FILE


class Signer:
    """Makes and checks MACs with one secret.

    Each part is hashed with its length first, so no two different lists of parts hash alike.
    """

    def __init__(self, secret: bytes) -> None:
        self._keyed = hmac.new(secret, digestmod=hashlib.sha256)  # copied: keyed once

    def mac(self, *parts: bytes | memoryview) -> bytes:
        """The HMAC-SHA256 of ``parts``."""
        h = self._keyed.copy()
        for part in parts:
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
        return h.digest()

    def check(self, mac: bytes, *parts: bytes | memoryview) -> bool:
        """Whether ``mac`` is the MAC of ``parts`` (compared in constant time)."""
        return hmac.compare_digest(mac, self.mac(*parts))

    def seal(self, label: str, data: bytes) -> bytes:
        """``data`` with its MAC in front; the MAC covers ``label`` too (the file's name), so a
        sealed blob does not open under another label."""
        return self.mac(label.encode(), data) + data

    def unseal(self, label: str, blob: bytes) -> bytes | None:
        """The data sealed under ``label``, or None when the MAC does not match."""
        mac, data = blob[:MAC_SIZE], blob[MAC_SIZE:]
        return data if len(mac) == MAC_SIZE and self.check(mac, label.encode(), data) else None


def user_signer() -> tuple[Signer, str | None]:
    """(a signer with this user's secret, None), created on first use; or, when the secret can
    be neither read nor made, (a signer with a secret of this process alone, why): the disk
    cache then serves this process only."""
    path = secret_path()
    try:
        return Signer(_read_or_create(path)), None
    except (OSError, ValueError) as e:
        return Signer(secrets.token_bytes(_SECRET_SIZE)), (
            f"hamilton_nb cannot keep its secret in {path} ({type(e).__name__}: {e}); values"
            " it writes to the disk cache will not be loaded by any other kernel."
        )


def _read_or_create(path: Path) -> bytes:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(_SECRET_SIZE) + "\n")
        try:  # a link fails where a name exists: two kernels starting at once keep one secret
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: rename (the last writer wins)
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    try:  # written whole before it gets its name (link or rename): never seen half-written
        secret = bytes.fromhex(path.read_text().strip())
    except ValueError:
        secret = b""
    if len(secret) != _SECRET_SIZE:
        raise ValueError(f"{path} does not hold a hamilton_nb secret; delete it to make a new one")
    _owner_only(path)
    return secret


def _owner_only(path: Path) -> None:
    """Make the secret readable by its owner alone (it may have been copied in with wider
    permissions)."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:
        pass
