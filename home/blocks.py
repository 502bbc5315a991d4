"""StreamField blocks for the body of service and category pages (GOV.UK components)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

RICH_TEXT_FEATURES = ["bold", "link", "ol", "ul", "h3"]


class InsetTextBlock(blocks.StructBlock):
    """Indented text that stands out from the text around it."""

    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "openquote"
        template = "home/blocks/inset_text.html"


class WarningTextBlock(blocks.StructBlock):
    """Something the citizen must know, such as a legal consequence."""

    text = blocks.CharBlock(max_length=500)

    class Meta:
        icon = "warning"
        template = "home/blocks/warning_text.html"


class DetailsBlock(blocks.StructBlock):
    """Expandable section for information only some citizens need."""

    summary = blocks.CharBlock(max_length=200, help_text=_("The link text, e.g. 'Help with …'"))
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "collapse-down"
        template = "home/blocks/details.html"


class BodyBlock(blocks.StreamBlock):
    """The blocks an editor may use in a page body."""

    heading = blocks.CharBlock(form_classname="title", icon="title", template="home/blocks/heading.html")
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, template="home/blocks/paragraph.html")
    inset_text = InsetTextBlock()
    warning_text = WarningTextBlock()
    details = DetailsBlock()
