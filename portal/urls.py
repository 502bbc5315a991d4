"""Top-level URLs: admin, documents, APIs, health, robots and sitemap; then, in English and under /cy/ in
Welsh, search, A to Z, tracking, online services, e-form journeys and pages."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views
from portal import page_routes
from portal.csp import csp_report

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("api.urls")),
    path("healthz", home_views.healthz, name="healthz"),
    path("csp-report/", csp_report, name="csp_report"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, name="sitemap"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# What residents read, in their language: English unprefixed, Welsh under /cy/ (the URL alone
# decides, see portal.language). Catalogue pages come by the map of pages (Wagtail's page pattern,
# tried first but for Wagtail's own `_util/` views: password and login for restricted pages), then
# Wagtail's URLs.
urlpatterns += i18n_patterns(
    path("search/", home_views.search, name="search"),
    path("services/a-z/", home_views.services_a_to_z, name="services_a_to_z"),
    path("", include("backoffice.urls")),
    path("", include("forms_catalogue.urls")),
    path("", include("insights.urls")),
    re_path(r"^(?!_util/)((?:[\w\-]+/)*)$", page_routes.serve_page, name="catalogue_page"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "home.views.page_not_found"
handler500 = "home.views.server_error"
