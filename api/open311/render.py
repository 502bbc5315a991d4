"""Writing Open311 documents as XML (built with xml.etree) or JSON, the two formats of the spec.

A document is a root name and a body: a list of items (services, requests, errors …) or one
object (a service definition, discovery). In XML each item is an element named after its
root (`<services><service>…`), and a list inside an item is a container of singular
elements (`<values><value>…`). In JSON a list document is a bare array and absent values
are null. Characters XML 1.0 cannot carry are dropped from text.
"""

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json"}
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "groups": "group",
    "endpoints": "endpoint",
    "formats": "format",
}
NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Document:
    """An Open311 document: the XML root element's name and its items or fields."""

    root: str
    body: list[dict[str, Any]] | dict[str, Any]


def render(document: Document, fmt: str, status: int = 200) -> HttpResponse:
    """The document as an HTTP response in `fmt` ("xml" or "json"; anything else is XML)."""
    if fmt == "json":
        content = json.dumps(document.body, ensure_ascii=False, default=str)
        return HttpResponse(content, status=status, content_type=CONTENT_TYPES["json"])
    return HttpResponse(to_xml(document), status=status, content_type=CONTENT_TYPES["xml"])


def to_xml(document: Document) -> bytes:
    """The document as a UTF-8 XML string with its declaration."""
    root = ET.Element(document.root)
    if isinstance(document.body, list):
        for item in document.body:
            _add_fields(ET.SubElement(root, ITEM_NAMES[document.root]), item)
    else:
        _add_fields(root, document.body)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _add_fields(element: ET.Element, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        child = ET.SubElement(element, name)
        if isinstance(value, list):
            for item in value:
                grandchild = ET.SubElement(child, ITEM_NAMES[name])
                if isinstance(item, dict):
                    _add_fields(grandchild, item)
                else:
                    grandchild.text = xml_text(item)
        elif isinstance(value, dict):
            _add_fields(child, value)
        else:
            child.text = xml_text(value)


def xml_text(value: Any) -> str | None:
    """A value as XML text: booleans as true/false, None as an empty element."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML_CHARACTERS.sub("", str(value))
