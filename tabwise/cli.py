"""The `tabwise` console script.

tabwise up        migrate, load the demo data if the database is empty, and run the web server, the task worker
                  and the scheduler together in the foreground (Ctrl-C stops all three)
tabwise demo      (re)generate the demo data set; `--seed N`, `--customers N`
tabwise worker    run the task worker
tabwise scheduler enqueue each business's daily jobs at their hour (`--once` for cron)
tabwise serve     run the production web server (granian, WSGI)
tabwise <command> any Django management command (migrate, createsuperuser, check, ...)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

DEFAULT_ADDRESS = "127.0.0.1:8000"


def _manage(*args: str) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tabwise", *args])


def _setup_development_environment() -> None:
    # `tabwise up` is for a newcomer on 127.0.0.1: debug pages, plain-http cookies, SQLite unless told otherwise.
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("SECURE_COOKIES", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabwise.settings")


def up(argv: list[str]) -> int:
    _setup_development_environment()
    address = argv[0] if argv else DEFAULT_ADDRESS
    import django

    django.setup()
    import tabwise.demo.generator as generator

    _manage("migrate", "--no-input", "-v", "0")
    _manage("createcachetable")
    if not generator.has_data():
        print("Loading the demo data set (first start only)...", flush=True)
        generator.generate()
    print(generator.logins_text(), flush=True)
    print(f"Tabwise is at http://{address}/  (Ctrl-C stops the web server and the task worker)\n", flush=True)

    python = sys.executable
    processes = [
        subprocess.Popen([python, "-m", "tabwise.cli", "runserver", address, "--noreload"]),  # noqa: S603
        subprocess.Popen([python, "-m", "tabwise.cli", "worker"]),  # noqa: S603
        subprocess.Popen([python, "-m", "tabwise.cli", "scheduler"]),  # noqa: S603
    ]
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping Tabwise...", flush=True)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


def serve(argv: list[str]) -> int:
    """The production server: granian serving the WSGI app (see docs/decisions/0002-production-server.md)."""
    from granian import Granian
    from granian.constants import Interfaces

    address = argv[0] if argv else os.environ.get("BIND", "0.0.0.0:8000")
    host, _, port = address.rpartition(":")
    Granian(
        "tabwise.wsgi:application",
        address=host,
        port=int(port),
        interface=Interfaces.WSGI,
        workers=int(os.environ.get("WEB_WORKERS", "2")),
        blocking_threads=int(os.environ.get("WEB_THREADS", "4")),
    ).serve()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabwise.settings")
    command = args[0] if args else "help"
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    if command == "up":
        return up(args[1:])
    if command == "serve":
        return serve(args[1:])
    if command == "worker":
        _manage("db_worker", *args[1:])
        return 0
    _manage(*args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
