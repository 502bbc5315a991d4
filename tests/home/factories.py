"""Small builders for catalogue pages in tests."""

from home.models import CategoryPage, Department, HomePage, ServicePage


def make_department(name: str = "Test Department") -> Department:
    department, _ = Department.objects.get_or_create(
        name=name, defaults={"email": "dept@example.gov.uk", "phone": "01632 960999"}
    )
    return department


def make_category(title: str = "Test category", slug: str = "test-category") -> CategoryPage:
    home = HomePage.objects.get()
    category = CategoryPage(title=title, slug=slug, summary=f"Summary of {title}")
    home.add_child(instance=category)
    return category


def make_services(
    category: CategoryPage, count: int, department: Department | None = None, slug_start: int = 0, **fields
) -> list[ServicePage]:
    """Add `count` live service pages under a category."""
    department = department or make_department()
    pages = []
    for number in range(slug_start, slug_start + count):
        page = ServicePage(
            title=f"Service {number}",
            slug=f"{category.slug}-service-{number}",
            summary=f"Do thing {number}",
            department=department,
            **fields,
        )
        category.add_child(instance=page)
        pages.append(page)
    return pages
