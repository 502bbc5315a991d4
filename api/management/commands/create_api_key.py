"""Issue an API key: a queue key for a department system, or an Open311 client key. Prints it once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from api.keys import issue
from api.models import ApiKey, Open311Client, QueueApiKey
from backoffice.models import Queue

NAME_MAX_LENGTH = ApiKey._meta.get_field("name").max_length


class Command(BaseCommand):
    help = (
        "Create an API key and print it once (only its hash is stored). "
        '--queue <slug> --name "…" for a department system pulling that queue; '
        '--open311 --name "…" [--email …] for an Open311 client.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kind = parser.add_mutually_exclusive_group(required=True)
        kind.add_argument("--queue", metavar="SLUG", help="The slug of the queue the key may read and update.")
        kind.add_argument("--open311", action="store_true", help="A key for an Open311 client.")
        parser.add_argument("--name", required=True, help="Who or what uses the key, e.g. 'Waste system'.")
        parser.add_argument("--email", default="", help="Open311 only: who runs the client.")

    def handle(self, *args, queue: str | None, open311: bool, name: str, email: str, **options) -> None:
        name = name.strip()
        if not name:
            raise CommandError("Give the key a name (--name), e.g. the system that will use it.")
        if len(name) > NAME_MAX_LENGTH:
            raise CommandError(f"The name is too long: at most {NAME_MAX_LENGTH} characters.")
        if open311:
            record, key = issue(Open311Client, name=name, contact_email=self.valid_email(email))
            what = "Open311 client"
        else:
            if email:
                raise CommandError("--email is for Open311 client keys only.")
            found = Queue.objects.select_related("department").filter(slug=queue).first()
            if found is None:
                slugs = ", ".join(Queue.objects.order_by("slug").values_list("slug", flat=True)) or "none"
                raise CommandError(f"There is no queue with the slug '{queue}'. Queues: {slugs}.")
            record, key = issue(QueueApiKey, name=name, queue=found)
            what = f"queue '{found.slug}' ({found})"
        self.stdout.write(f"Created a key for {what}, named '{record.name}' (prefix {record.prefix}).")
        self.stdout.write("Keep it now: it is not stored and cannot be shown again.")
        self.stdout.write(key)

    def valid_email(self, email: str) -> str:
        email = email.strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"'{email}' is not an email address.") from None
        return email
