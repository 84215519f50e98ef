"""Django's Redis cache, with one client kept per connection pool.

Django's RedisCacheClient builds a new `redis.Redis`, with its table of some 170 reply
handlers, for every cache call: about a third of a millisecond each, and a page served
without the page cache reads the cache five or six times (bench/pages.py --profile). A
`redis.Redis` keeps no state of its own beyond its pool, which hands out connections and
resets them after a fork, so one per pool is safe to share.
"""

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
