from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """makemessages without fuzzy guesses: a guessed translation with other placeholders breaks
    the compilation of the catalogues, and a wrong guess is worse than an English fallback."""

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
