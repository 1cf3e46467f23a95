"""Messages to customers: the outbox (`outbox`: enqueue, secrets), the background sender
(`sender`) and the shared texts (`templates`)."""
