"""Test users for sign-in (importable by any test module): names, roles and one password."""
from __future__ import annotations

from pathlib import Path

from launchboard import auth

PASSWORD = "correct-horse-9"
USERS = {"mina": "agent", "jun": "manager", "sora": "analyst", "root": "admin"}
TITLES = {"status": "Launch status", "pipeline": "Pipeline & bottlenecks", "activations": "Activations",
          "messages": "Messages", "calls": "Call centre", "lookup": "Order lookup", "review": "Incident review",
          "quality": "Data quality", "explore": "Explore (SQL)", "access_log": "Access log", "users": "Users"}
_HASH = auth.hash_password(PASSWORD)  # one argon2 hash for every test user (hashing costs ~0.1 s)


def write_users(path: Path, users: dict[str, str] = USERS) -> Path:
    auth.save_users(path, {n: auth.User(n, role, None, _HASH) for n, role in users.items()})
    return path
