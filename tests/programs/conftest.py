import pytest

from tests.factories import add_program, build_site
from tests.programs.roles import facilitator_login


@pytest.fixture
def rivals(db):
    """Two facilitators, Ana and Ben (password "pw"), each leading one program."""
    _, index = build_site()
    mine = add_program(index, title="Ana's circle", slug="anas-circle")
    theirs = add_program(index, title="Ben's circle", slug="bens-circle")
    ana, ben = facilitator_login("ana", mine), facilitator_login("ben", theirs)
    return {"index": index, "mine": mine, "theirs": theirs, "ana": ana, "ben": ben}
