"""URLs of the headless portal: content API (/api/v2/), portal API (/api/v1/), Open311 (/open311/v2/)."""

urlpatterns: list = []
