"""RabbitMQ: the topology every service declares at start."""
