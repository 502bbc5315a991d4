"""Welsh versions of the demo council's home page, categories, information pages and most used services.

Each is made as an editor makes one: "Translate" copies the English page into the Welsh locale
(same slug, same translation key), the Welsh texts from `demo_data/cy/` are written into the
copy, and the copy is published. A page that already has a Welsh version is left alone, so
loading again publishes nothing new. The e-forms of these services are translated by
`forms_catalogue.demo.load_welsh_demo_forms`, after this.
"""

from collections.abc import Callable

from wagtail.models import Locale, Page

from .demo import category_page_texts, information_page_texts, read_data, service_page_texts
from .models import CategoryPage, HomePage, InformationPage, ServicePage
from .translation import translate_and_publish, welsh_locale

WELSH = "cy"


def welsh_rows(name: str) -> dict[str, dict]:
    """The rows of a Welsh data file (`demo_data/cy/<name>`) by slug."""
    return {row["slug"]: row for row in read_data(f"{WELSH}/{name}")}


def writer(fields: dict) -> Callable[[Page], None]:
    """A function writing `fields` into a page."""

    def write(page: Page) -> None:
        for name, value in fields.items():
            setattr(page, name, value)

    return write


def home_page_texts(home: HomePage) -> dict:
    """The Welsh home page's title (the council's Welsh name, when the data file knows it) and introduction."""
    texts = read_data(f"{WELSH}/home.json")
    return {"title": texts["council_names"].get(home.title, home.title), "intro": texts["intro"]}


def load_welsh_pages() -> int:
    """Publish the Welsh version of each demo page that has Welsh texts and none yet; return how many."""
    welsh = welsh_locale()
    home = HomePage.objects.get(locale=Locale.get_default())
    created = translate_and_publish(home, welsh, writer(home_page_texts(home)))
    english_services = {row["slug"]: row for row in read_data("services.json")}
    for model, name, texts_of in (
        (CategoryPage, "categories.json", category_page_texts),
        (InformationPage, "information_pages.json", information_page_texts),
        (ServicePage, "services.json", lambda row: service_page_texts({**english_services[row["slug"]], **row})),
    ):
        rows = welsh_rows(name)
        # Parents before children: a page is translated under its parent's translation.
        for page in model.objects.descendant_of(home).filter(slug__in=rows).order_by("path"):
            created += translate_and_publish(page, welsh, writer(texts_of(rows[page.slug])))
    return created
