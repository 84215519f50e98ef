"""Two cache backends: Django's Redis cache, with one client kept per connection pool; and
Django's file cache, counting atomically across processes (for the rate limits).

Django's RedisCacheClient builds a new `redis.Redis`, with its table of some 170 reply
handlers, for every cache call: about a third of a millisecond each, and a page served
without the page cache reads the cache five or six times (bench/pages.py --profile). A
`redis.Redis` keeps no state of its own beyond its pool, which hands out connections and
resets them after a fork, so one per pool is safe to share.
"""

import fcntl
import os
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ClientPerPoolRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ClientPerPoolRedisCacheClient


class CountingFileBasedCache(FileBasedCache):
    """Django's file cache, with `add` and `incr` made atomic across processes for rate-limit counts.

    Django's file cache checks and writes in two steps, so two gunicorn workers counting the
    same address at once could both read 4 and both write 5, and a burst of parallel requests
    would slip past the limit. Both steps run here under an exclusive lock on one file in the
    cache's folder: counting is a few microseconds, so one lock for every key is enough.
    """

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self.lock_path = os.path.join(os.path.abspath(dir), "counting.lock")

    @contextmanager
    def counting_lock(self):
        with open(self.lock_path, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self.counting_lock():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self.counting_lock():
            return super().incr(key, delta, version)
