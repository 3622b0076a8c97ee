"""What depends on the project's language: the spaCy pipeline and the words of tables."""
