"""Project pages: editing and review (`edit`), the public catalogue (`public`), the English
showcase and its files (`showcase`)."""
