"""A mistyped address or a fault of ours answers with a calm page that says what to do next."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.factories import build_site

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/booking/not-a-real-code-aaaaaaaaaaaaaaaa/", "/no-such-page/", "/book/999999/"])
def test_a_page_that_is_not_there_offers_the_lost_link_and_the_home_page(client, path):
    build_site()
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 404
    assert "We can't find that page" in body
    assert 'href="/booking/lost-link/"' in body and 'href="/"' in body
    assert "Not Found</h1>" not in body  # not Django's bare page


def test_a_server_error_says_nothing_is_half_done():
    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body and "Nothing is half-done" in body
