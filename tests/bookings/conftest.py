import pytest
import time_machine

from tests.bookings.helpers import NOW


@pytest.fixture(autouse=True)
def frozen_now(request):
    """Every bookings test runs at NOW unless it is marked `real_time` (threads, benchmarks)."""
    if request.node.get_closest_marker("real_time"):
        yield
        return
    with time_machine.travel(NOW, tick=False):
        yield
