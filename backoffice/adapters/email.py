"""Email to a department mailbox: the answers in the body, files attached (or linked when large)."""

import json

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation

from portal.file_encryption import UndecryptableFile
from portal.language import DEFAULT_LANGUAGE, language_name

from .base import DeliveryAdapter, PermanentDeliveryError, TransientDeliveryError, message_id

ATTACHMENT_LIMIT = 10 * 1024 * 1024  # larger files are linked, not attached


def english_language_name(code: str) -> str:
    """The language's name as the (English) department email writes it: "Welsh (Cymraeg)"."""
    with translation.override(DEFAULT_LANGUAGE):
        return language_name(code)


def department_email_body(document: dict) -> str:
    """The request document as readable text (in English): answers by question label, then the files."""
    labels = {question["id"]: question["label"] for question in document["form"]["questions"]}
    lines = [
        f"Reference: {document['display_reference']}",
        f"Service: {document['service']['title']}",
        f"Submitted: {document['submitted_at']}",
        f"Contact email: {document['contact_email'] or '(not given)'}",
        f"Language: {english_language_name(document.get('language') or DEFAULT_LANGUAGE)}",
        "",
        "Answers",
        "-------",
    ]
    for question_id, answer in document["answers"].items():
        text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        lines.append(f"{labels.get(question_id, question_id)}: {text}")
    if document["files"]:
        lines += ["", "Files", "-----"]
        lines += [f"{item['name']} ({item['size']} bytes): {item['url']}" for item in document["files"]]
    lines += ["", "The full request as JSON is attached (request.json)."]
    return "\n".join(lines)


class DepartmentEmailAdapter(DeliveryAdapter):
    """Sends through Django's email backend; SMTP errors are transient, a missing mailbox permanent."""

    def send(self, delivery) -> None:
        destination = delivery.destination
        if destination is None or not destination.email_to:
            raise PermanentDeliveryError("The email destination was removed or has no mailbox.")
        document = delivery.payload
        message = EmailMessage(
            subject=f"[{document['display_reference']}] {document['service']['title']}",
            body=department_email_body(document),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[destination.email_to],
            headers={
                "Idempotency-Key": delivery.idempotency_key,
                "Message-ID": message_id(delivery),
                "X-Portal-Reference": document["reference"],
            },
        )
        message.attach("request.json", json.dumps(document, indent=2), "application/json")
        for item in delivery.request.files.all():
            if item.size <= ATTACHMENT_LIMIT:
                try:
                    with item.file.open("rb") as handle:  # decrypted by the storage
                        message.attach(item.original_name, handle.read(), item.content_type)
                except UndecryptableFile as error:  # retried: the key may be put back
                    raise TransientDeliveryError(f"File {item.pk} cannot be attached: {error}") from error
        try:
            message.send()
        except OSError as error:
            raise TransientDeliveryError(f"Could not send the email: {error}") from error
