"""The site's own settings plus the two baselines the page benchmark serves beside it."""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
# A plain wagtailcore.Page renders wagtailcore/page.html: the stock Wagtail page, one line of template.
TEMPLATES[0]["DIRS"] = [BASE_DIR / "bench" / "templates", *TEMPLATES[0]["DIRS"]]
