"""Prep documents are private: Wagtail's /documents/ URL serves them only to those who may choose or
change them in their collection; participants get them through their material links."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import Resolver404, clear_url_caches, resolve
from django.views.static import serve as static_serve

from tests.factories import add_collection, add_document

pytestmark = pytest.mark.django_db


def facilitator(django_user_model, name: str) -> tuple:
    user = django_user_model.objects.create_user(name, password="pw")
    group = Group.objects.create(name=f"{name}'s group")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.groups.add(group)
    return user, group


@pytest.fixture(autouse=True)
def files_on_disk(settings, tmp_path):
    """Wagtail serves a document from its file's path, which the tests' in-memory storage lacks."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}


@pytest.fixture
def world(django_user_model):
    maya, maya_group = facilitator(django_user_model, "maya")
    ben, ben_group = facilitator(django_user_model, "ben")
    mayas = add_collection("Maya's materials", group=maya_group, actions=("add", "choose"))
    bens = add_collection("Ben's materials", group=ben_group, actions=("add", "change", "choose"))
    return {"maya": maya, "ben": ben, "mayas_document": add_document("Letter", collection=mayas),
            "bens_document": add_document("Letter", collection=bens)}


def test_an_anonymous_reader_cannot_fetch_a_document_by_its_url(client, world):
    assert client.get(world["mayas_document"].url).status_code == 404


def test_a_facilitator_cannot_fetch_another_facilitators_document(client, world):
    client.force_login(world["ben"])
    assert client.get(world["mayas_document"].url).status_code == 404
    assert client.get(world["bens_document"].url).status_code == 200


def test_a_user_who_may_choose_documents_in_the_collection_may_download(client, world):
    client.force_login(world["maya"])
    response = client.get(world["mayas_document"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"private prep notes"


def test_staff_with_every_permission_may_download(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("owner", password="pw"))
    assert client.get(world["mayas_document"].url).status_code == 200


def test_a_logged_in_user_without_admin_rights_cannot_fetch_a_document(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))
    assert client.get(world["bens_document"].url).status_code == 404



def test_the_developers_media_server_does_not_serve_document_files(settings):
    import importlib

    import config.urls

    settings.DEBUG = True
    try:
        urls = importlib.reload(config.urls)
        assert resolve("/media/images/photo.jpg", urlconf=urls).func is static_serve
        with pytest.raises(Resolver404):
            resolve("/media/documents/letter.txt", urlconf=urls)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
