"""RabbitMQ: a persistent JSON message to an exchange, confirmed by the broker (pika, publisher confirms)."""

import pika
from pika.exceptions import AMQPError, UnroutableError

from .base import DeliveryAdapter, PermanentDeliveryError, TransientDeliveryError
from .webhook import encode


class RabbitMQAdapter(DeliveryAdapter):
    """Keeps one confirmed channel per broker URL while the worker runs; reconnects after errors."""

    def __init__(self):
        self.connections: dict[str, tuple[pika.BlockingConnection, object]] = {}

    def channel(self, url: str):
        """The confirmed channel for `url`, reconnecting when the broker has dropped an idle connection."""
        connection, channel = self.connections.get(url, (None, None))
        if connection is not None and connection.is_open and channel.is_open:
            try:
                # Serve heartbeats and notice a connection the broker closed while the worker was idle
                # (pika's blocking connection only does so when called), instead of failing the send.
                connection.process_data_events(time_limit=0)
            except (AMQPError, OSError):
                self.drop(url)
        connection, channel = self.connections.get(url, (None, None))
        if connection is None or connection.is_closed or channel.is_closed:
            self.drop(url)
            parameters = pika.URLParameters(url)
            parameters.socket_timeout = 10
            parameters.blocked_connection_timeout = 30
            connection = pika.BlockingConnection(parameters)
            channel = connection.channel()
            channel.confirm_delivery()
            self.connections[url] = (connection, channel)
        return channel

    def send(self, delivery) -> None:
        destination = delivery.destination
        if destination is None or not destination.amqp_url or not destination.routing_key:
            raise PermanentDeliveryError("The RabbitMQ destination was removed or has no URL or routing key.")
        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=delivery.idempotency_key,
            headers={"Idempotency-Key": delivery.idempotency_key, "reference": delivery.request.reference},
            type=delivery.payload.get("type", ""),
        )
        try:
            channel = self.channel(destination.amqp_url)
            channel.basic_publish(
                exchange=destination.exchange,
                routing_key=destination.routing_key,
                body=encode(delivery.payload),
                properties=properties,
                mandatory=True,
            )
        except UnroutableError as error:
            self.drop(destination.amqp_url)
            raise TransientDeliveryError(f"No queue is bound for routing key '{destination.routing_key}'.") from error
        except (AMQPError, OSError) as error:
            self.drop(destination.amqp_url)
            raise TransientDeliveryError(f"{type(error).__name__}: {error}") from error

    def drop(self, url: str) -> None:
        connection, _channel = self.connections.pop(url, (None, None))
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except (AMQPError, OSError):
                pass

    def close(self) -> None:
        for url in list(self.connections):
            self.drop(url)
