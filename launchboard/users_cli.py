"""``python -m launchboard users add|list|remove``: the users file, on the server.

The file is ``--file PATH``, else the one sign-in uses for ``--data DIR`` (default
``$LAUNCHBOARD_DATA``): ``$LAUNCHBOARD_USERS``, launch.toml ``[auth] users_file``, or
``users.toml`` in the launch's state folder. Passwords are prompted twice without echo (or read
from one line of standard input with ``--password-stdin``) and stored as argon2id hashes only.
With a data folder, each change is appended to the launch's access log.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from . import accesslog, auth
from .config import ConfigError, load_config


class UsageError(Exception):
    pass


def _where(args: argparse.Namespace) -> tuple[Path, accesslog.AccessLog | None]:
    data = args.data or os.environ.get("LAUNCHBOARD_DATA")
    log = None
    if data:
        if not Path(data).is_dir():
            raise UsageError(f"data folder not found: {data}")
        config = load_config(Path(data))
        log = accesslog.for_launch(data, config)
        if not args.file:
            return auth.users_file(data, config)[0], log
    if args.file:
        return Path(args.file).expanduser().resolve(), log
    raise UsageError("say which users file: --data DIR (the launch it signs in to) or --file PATH")


def _password(args: argparse.Namespace, name: str) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Again: ") != password:
            raise UsageError("the two passwords differ; nothing was written")
    try:
        return auth.check_password(password)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _add(args: argparse.Namespace) -> int:
    path, log = _where(args)
    try:
        name = auth.check_name(args.name)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if args.email is not None and "@" not in args.email:
        raise UsageError(f"not an e-mail address: {args.email!r}")
    users = auth.load_users(path) if path.exists() else {}
    key = auth.normal_name(name)
    if key in users and not args.replace:
        raise UsageError(f"{name} is already in {path}; add --replace to change their role or password")
    hashed = None if args.no_password else auth.hash_password(_password(args, name))
    event = "user_changed" if key in users else "user_added"
    users[key] = auth.User(name, args.role, args.email, hashed)
    auth.save_users(path, users)
    if log is not None:
        log.append(event, user=accesslog.os_user(), target=key,
                   detail=f"role {args.role}" + ("; no password (OpenID Connect only)" if args.no_password else ""))
    print(f"{'changed' if event == 'user_changed' else 'added'} {name} ({args.role}) in {path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    path, _ = _where(args)
    if not path.exists():
        print(f"no users file at {path}: sign-in is off")
        return 0
    for user in auth.load_users(path).values():
        how = "password" if user.password_hash else "OpenID Connect only"
        print(f"{user.name}\t{user.role}\t{user.email or '-'}\t{how}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    path, log = _where(args)
    users = auth.load_users(path)
    key = auth.normal_name(args.name)
    if key not in users:
        raise UsageError(f"{args.name} is not in {path}")
    del users[key]
    auth.save_users(path, users)
    if log is not None:
        log.append("user_removed", user=accesslog.os_user(), target=key)
    print(f"removed {args.name} from {path}")
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return args.users_func(args)
    except (UsageError, ConfigError) as exc:
        print(f"launchboard users: {exc}".replace("\n", " "), file=sys.stderr)
        return 2


def add_parser(sub) -> None:
    users = sub.add_parser("users", help="add, list or remove who may sign in (the users file)")
    actions = users.add_subparsers(dest="users_command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", help="the launch's data folder (default $LAUNCHBOARD_DATA)")
    common.add_argument("--file", help="the users file itself (default: the one --data signs in with)")

    add = actions.add_parser("add", parents=[common], help="add a user (prompts twice for the password)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=auth.ROLES)
    add.add_argument("--email", help="the e-mail an OpenID Connect provider reports for them")
    add.add_argument("--no-password", action="store_true", help="signs in through OpenID Connect only")
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    add.add_argument("--replace", action="store_true", help="change an existing user's role or password")
    add.set_defaults(users_func=_add)

    lst = actions.add_parser("list", parents=[common], help="list the users (never their hashes)")
    lst.set_defaults(users_func=_list)

    rm = actions.add_parser("remove", parents=[common], help="remove a user")
    rm.add_argument("name")
    rm.set_defaults(users_func=_remove)
    users.set_defaults(func=run)
