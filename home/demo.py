"""Build the demo council's site from the data files in `home/demo_data/`.

Idempotent: a page, category or department that already exists (by slug or name) is left as
it is, so running the loader again changes nothing and never overwrites an editor's work.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.html import escape
from wagtail.models import Locale, Page, Site

from .models import CategoryPage, Department, HomePage, InformationPage, ServicePage

DATA_DIR = Path(__file__).resolve().parent / "demo_data"


@dataclass
class LoadReport:
    """What a load created; all zero on a second run."""

    departments: int = 0
    categories: int = 0
    services: int = 0
    other_pages: int = 0
    created_slugs: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.departments + self.categories + self.services + self.other_pages


def read_data(name: str) -> list[dict]:
    """Load one of the demo data files."""
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


def paragraphs_html(*texts: str) -> str:
    """Plain-text paragraphs as rich text HTML."""
    return "".join(f"<p>{escape(text)}</p>" for text in texts if text)


def bullet_list_html(items: list[str]) -> str:
    """Plain-text items as a rich text bullet list."""
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>" if items else ""


def publish_new_child(parent: Page, page: Page) -> Page:
    """Add a page under its parent and publish its first revision."""
    parent.add_child(instance=page)
    page.save_revision(log_action=True).publish()
    return page


def ensure_home_page(council_name: str, report: LoadReport) -> HomePage:
    """The site's HomePage, replacing Wagtail's placeholder welcome page on first run."""
    home = HomePage.objects.filter(locale=Locale.get_default()).first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(
            title=council_name,
            slug="home",
            intro="Find a council service, do it online, and track your request.",
        )
        placeholder = root.get_children().filter(slug="home").exclude(content_type__model="homepage").first()
        if placeholder:
            placeholder.slug = "welcome-placeholder"
            placeholder.save()
        publish_new_child(root, home)
        report.other_pages += 1
        site = Site.objects.filter(is_default_site=True).first()
        if site:
            site.root_page = home
            site.site_name = council_name
            site.save()
        else:
            Site.objects.create(
                hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=council_name
            )
        if placeholder:
            placeholder.delete()
    return home


def load_departments(report: LoadReport) -> dict[str, Department]:
    """Departments by name, creating the missing ones."""
    departments = {}
    for row in read_data("departments.json"):
        department, created = Department.objects.get_or_create(
            name=row["name"],
            defaults={key: row.get(key, "") for key in ("email", "phone", "address", "opening_hours")},
        )
        report.departments += created
        departments[department.name] = department
    return departments


def category_page_texts(row: dict) -> dict:
    """The translatable fields of a CategoryPage from one row of categories.json (or of its Welsh version)."""
    return {"title": row["name"], "summary": row["summary"], "intro": row["intro"]}


def load_categories(home: HomePage, report: LoadReport) -> dict[str, CategoryPage]:
    """Category pages by name, creating the missing ones under the home page."""
    existing = {page.slug: page for page in CategoryPage.objects.child_of(home)}
    categories = {}
    for row in read_data("categories.json"):
        page = existing.get(row["slug"])
        if page is None:
            page = publish_new_child(home, CategoryPage(slug=row["slug"], **category_page_texts(row)))
            report.categories += 1
            report.created_slugs.append(row["slug"])
        categories[row["name"]] = page
    return categories


def service_page_texts(row: dict) -> dict:
    """The translatable fields of a ServicePage from one row of services.json (or of its Welsh version)."""
    return {
        "title": row["name"],
        "summary": row["summary"],
        "body": [("paragraph", paragraphs_html(text)) for text in row["body"]],
        "eligibility": paragraphs_html(row["eligibility"]),
        "what_you_need": bullet_list_html(row["what_you_need"]),
        "how_long": row["how_long"],
        "what_happens_next": paragraphs_html(row["what_happens_next"]),
        "keywords": ", ".join(row["keywords"]),
        "external_url_label": row.get("external_url_label", "Pay now") if row.get("external_url") else "",
        "search_description": row["summary"],
    }


def service_page_from_row(row: dict, department: Department) -> ServicePage:
    """An unsaved ServicePage built from one row of services.json."""
    return ServicePage(
        slug=row["slug"],
        department=department,
        target_amount=row["target"]["amount"] if "target" in row else None,
        target_unit=row["target"]["unit"] if "target" in row else "",
        lgsl_code=row.get("lgsl"),
        external_url=row.get("external_url") or "",
        information_only=row["pattern"] == "info",
        popular=row.get("popular", False),
        **service_page_texts(row),
    )


def load_services(categories: dict[str, CategoryPage], departments: dict[str, Department], report: LoadReport) -> None:
    """Service pages under their categories, creating the missing ones."""
    existing = set(ServicePage.objects.values_list("slug", flat=True))
    for row in read_data("services.json"):
        if row["slug"] in existing:
            continue
        page = service_page_from_row(row, departments[row["department"]])
        publish_new_child(categories[row["category"]], page)
        report.services += 1
        report.created_slugs.append(row["slug"])


def information_page_texts(row: dict) -> dict:
    """The fields of an InformationPage from one row of information_pages.json (or of its Welsh version)."""
    return {"title": row["title"], "body": [("paragraph", paragraphs_html(text)) for text in row["body"]]}


def load_information_pages(home: HomePage, report: LoadReport) -> None:
    """The accessibility statement and privacy notice every council site needs."""
    existing = set(InformationPage.objects.child_of(home).values_list("slug", flat=True))
    for row in read_data("information_pages.json"):
        if row["slug"] in existing:
            continue
        publish_new_child(home, InformationPage(slug=row["slug"], **information_page_texts(row)))
        report.other_pages += 1


@transaction.atomic
def load_demo_council(council_name: str) -> LoadReport:
    """Create whatever part of the demo council is missing and report what was created."""
    report = LoadReport()
    home = ensure_home_page(council_name, report)
    departments = load_departments(report)
    categories = load_categories(home, report)
    load_services(categories, departments, report)
    load_information_pages(home, report)
    return report
