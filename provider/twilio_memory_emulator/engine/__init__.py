"""The shared engine under every product: accounts, the (virtual) clock, one lock, asynchronous
operations (appliers registered by :class:`~.operations.OpKind`), idempotency, the state snapshot,
fault rules and the one home of URL paths. It imports no product package: the products register
on it (appliers, reset listeners) and receive it by reference."""
