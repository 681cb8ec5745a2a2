"""Page blueprints; they call the same services as the API."""
