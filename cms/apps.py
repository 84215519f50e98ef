from django.apps import AppConfig

# Anything a public page shows: saving or deleting one of these clears the anonymous page cache.
PUBLIC_CONTENT_MODELS = [
    "wagtailcore.Page",
    "wagtailcore.PageViewRestriction",
    "wagtailcore.Site",
    "cms.HomePage",
    "cms.ProgramIndexPage",
    "cms.StandardPage",
    "programs.ProgramPage",
    "cms.SiteSettings",
    "programs.ProgramPriceTier",
    "programs.Facilitator",
    "programs.Venue",
    "programs.Cohort",
    "programs.Session",
    "programs.SessionMaterial",
    "bookings.Booking",
    "bookings.WaitlistEntry",
]


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site pages"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from cms.page_cache import clear_page_cache

        for label in PUBLIC_CONTENT_MODELS:
            model = apps.get_model(label)
            post_save.connect(clear_page_cache, sender=model, dispatch_uid=f"page-cache-save-{label}")
            post_delete.connect(clear_page_cache, sender=model, dispatch_uid=f"page-cache-delete-{label}")
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(clear_page_cache, dispatch_uid=f"page-cache-{id(signal)}")
