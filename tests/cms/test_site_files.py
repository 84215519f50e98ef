"""The icon, robots.txt and the sitemap: found by browsers and search engines, private pages left out."""

import pytest
from wagtail.models import PageViewRestriction

from tests.factories import add_program, build_site

pytestmark = pytest.mark.django_db


def test_the_favicon_is_found(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_robots_txt_keeps_private_pages_out_and_names_the_sitemap(client):
    build_site()
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    for private in ("/admin/", "/booking/", "/waitlist/", "/your-data/", "/m/", "/documents/"):
        assert f"Disallow: {private}\n" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_the_sitemap_lists_public_programs_only(client):
    _, index = build_site()
    public = add_program(index, title="Open circle", slug="open-circle")
    private = add_program(index, title="Closed circle", slug="closed-circle")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    response = client.get("/sitemap.xml")
    body = response.content.decode()
    assert response.status_code == 200
    assert public.url in body and "closed-circle" not in body


def test_the_home_page_title_names_the_site_once(client):
    home, index = build_site()
    home.title = "Inner Child Circles"
    home.save_revision().publish()
    body = client.get(home.url).content.decode()
    assert "<title>Inner Child Circles</title>" in body
    assert "<title>Programs · Inner Child Circles</title>" in client.get(index.url).content.decode()
