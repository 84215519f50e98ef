"""The accessibility check itself can fail: a page with known serious violations is caught."""

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_the_axe_check_catches_serious_violations(phone):
    phone.set_content('<html><body><img src="photo.png"><button></button><p style="color:#eee;background:#fff">faint</p></body></html>')
    with pytest.raises(AssertionError) as caught:
        assert_accessible(phone)
    assert "image-alt" in str(caught.value) and "button-name" in str(caught.value)


def test_a_clean_page_passes(phone):
    phone.set_content('<!doctype html><html lang="en"><head><title>Ok</title></head><body><main><h1>Hello</h1>'
                      '<img src="photo.png" alt="A calm room"></main></body></html>')
    assert_accessible(phone)
