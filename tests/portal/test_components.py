"""CI runs against the real components: PostgreSQL, Redis as cache, Redis as Celery's broker.

Locally each test skips with the reason when its component is not configured; with CI=true
`require` fails it instead, so CI cannot go green on SQLite and local memory.
"""

import os

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from config.celery import app
from tests.conftest import require


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql():
    require(
        connection.vendor == "postgresql", f"the database is {connection.vendor}, not PostgreSQL"
    )

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        (version,) = cursor.fetchone()

    # docker-compose.yml runs postgres:15; CI must not test on anything older.
    assert int(version) >= 150000


@pytest.mark.redis
def test_cache_is_redis():
    backend = settings.CACHES["default"]["BACKEND"]
    require(
        backend == "django.core.cache.backends.redis.RedisCache",
        f"the cache is {backend}, not Redis (REDIS_URL is not set)",
    )

    cache.set("components-check", "stored in redis", timeout=60)

    # Read the value back with a plain Redis client: it is really in Redis, not in the process.
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert client.exists(cache.make_and_validate_key("components-check")) == 1
    assert cache.get("components-check") == "stored in redis"


@pytest.mark.redis
def test_celery_broker_is_redis():
    broker_url = app.conf.broker_url
    require(broker_url.startswith("redis://"), f"Celery's broker is {broker_url}, not Redis")

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1)
        assert broker.transport.driver_type == "redis"
