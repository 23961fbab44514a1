"""The transactional outbox: events written with the business change, published by the relay."""
