"""Named queries returning objects or Select statements. Repositories never commit."""
