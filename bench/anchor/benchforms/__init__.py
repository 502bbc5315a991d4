"""A single-page `wagtail.contrib.forms` form: the anchor the portal's e-form step is measured against."""
