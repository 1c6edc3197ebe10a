"""Who may connect, and by what name: an OpenSSH authorized_keys file, and the host key."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from cables.serve.common import valid_reader_name

HOST_KEY_NAME = "ssh_host_ed25519_key"
# The key type and base64 blob of a line, after any options; what follows is the comment.
_KEY = re.compile(r"(?:^|\s)((?:ssh|ecdsa|sk)-[\w@.-]+)\s+([A-Za-z0-9+/]+=*)(?:\s+(.*))?$")


class KeysError(Exception):
    """The authorized_keys file or the host key cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Reader:
    """Who a key belongs to: the name their state is kept under, and the key's fingerprint."""

    name: str
    fingerprint: str


def fingerprint_name(fingerprint: str) -> str:
    """A fingerprint as a file name (`SHA256:ab/c+` -> `SHA256-ab_c-`)."""
    return fingerprint.replace(":", "-").replace("/", "_").replace("+", "-")


def reader_name(options: dict[str, object], comment: str | None, fingerprint: str) -> str:
    """`environment="CABLES_USER=name"`, else the comment, if valid; else the fingerprint."""
    environment = options.get("environment")
    candidates = [
        environment.get("CABLES_USER") if isinstance(environment, dict) else None,
        comment,
    ]
    for name in candidates:
        if isinstance(name, str) and valid_reader_name(name):
            return name
    return fingerprint_name(fingerprint)


@dataclass(slots=True)
class _Entry:
    keys: asyncssh.SSHAuthorizedKeys
    comment: str | None


class AuthorizedKeys:
    """The file, read again whenever it changes, so readers are added without a restart."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._entries: list[_Entry] = []
        self.problems: list[str] = []
        self.reload()

    def reload(self) -> None:
        """Read the file if it changed; KeysError when it cannot be read at all."""
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp == self._stamp:
                return
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeysError(f"{self.path}: cannot read the authorized keys: {exc}") from None
        entries: list[_Entry] = []
        problems: list[str] = []
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                keys = asyncssh.import_authorized_keys(line)
            except (ValueError, asyncssh.KeyImportError) as exc:
                problems.append(f"{self.path} line {number}: not a usable key ({exc}); skipped")
                continue
            match = _KEY.search(line)
            comment = match.group(3).strip() if match and match.group(3) else None
            entries.append(_Entry(keys, comment))
        self._entries, self.problems, self._stamp = entries, problems, stamp

    def __len__(self) -> int:
        return len(self._entries)

    def reader(self, key: asyncssh.SSHKey, host: str, address: str) -> Reader | None:
        """The reader this key belongs to (its options' `from=` allowing), or None."""
        fingerprint = key.get_fingerprint("sha256")
        for entry in self._entries:
            options = entry.keys.validate(key, host, address)
            if options is not None:
                return Reader(reader_name(dict(options), entry.comment, fingerprint), fingerprint)
        return None


def host_key(data_dir: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The server's Ed25519 key, made (mode 0600) on first start; True when new."""
    path = data_dir / HOST_KEY_NAME
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise KeysError(f"{path}: the host key is readable by others; chmod 600 it")
        try:
            return asyncssh.read_private_key(path), False
        except (OSError, ValueError, asyncssh.KeyImportError) as exc:
            raise KeysError(f"{path}: cannot read the host key: {exc}") from None
    key = asyncssh.generate_private_key("ssh-ed25519", comment="cables serve")
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.export_private_key())
    path.with_name(f"{HOST_KEY_NAME}.pub").write_bytes(key.export_public_key())
    return key, True
